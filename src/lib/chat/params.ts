/**
 * Sampling parameters: presets, the editable fields of the settings drawer, and the
 * clean-up that turns what a user typed into an Ollama `options` object. Empty fields mean
 * "engine default", so they are left out rather than sent as 0 — except the answer-length
 * cap, which is always sent (see answerTokenLimit).
 */
import type { NumericOptionName, Options } from '#protocol/ollama/options';
import { DEFAULT_CONTEXT } from '../engines/wasm-options';

export type PresetName = 'balanced' | 'creative' | 'precise';
export const PRESET_NAMES: readonly PresetName[] = ['balanced', 'creative', 'precise'];
export const DEFAULT_PRESET: PresetName = 'balanced';

/** The sampling keys a preset owns; context size, limits, seed and stops stay the user's. */
const PRESET_KEYS = ['temperature', 'top_p', 'top_k', 'repeat_penalty'] as const;
type PresetKey = (typeof PRESET_KEYS)[number];

export const PRESETS: Record<PresetName, Required<Pick<Options, PresetKey>>> = {
  balanced: { temperature: 0.7, top_p: 0.9, top_k: 40, repeat_penalty: 1.1 },
  creative: { temperature: 1.0, top_p: 0.95, top_k: 100, repeat_penalty: 1.05 },
  // Greedy decoding: the same prompt gives the same answer on the same engine.
  precise: { temperature: 0, top_p: 1, top_k: 1, repeat_penalty: 1.0 }
};

/**
 * Each preset's default cap on an answer's length (num_predict). A model that never emits
 * its end token would otherwise decode until the tab is killed; a cut answer shows a
 * Continue button, so a low cap costs a click, not the answer. Precise answers are
 * usually short; creative writing gets the most room.
 */
export const PRESET_MAX_TOKENS: Record<PresetName, number> = {
  precise: 1024,
  balanced: 1536,
  creative: 2048
};

/**
 * The cap never exceeds the context window times this: past that, an answer has already
 * pushed its own beginning (and the question) out of the window — only llama.cpp's
 * context shift lets it go on at all — and is looping, not answering.
 */
export const CONTEXT_FACTOR = 2;

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}

/** Replaces the preset-owned keys, keeping the user's other settings. */
export function applyPreset(options: Options, preset: PresetName): Options {
  return { ...options, ...PRESETS[preset] };
}

/** The preset the options currently match, or 'custom' after a hand edit. */
export function presetOf(options: Options): PresetName | 'custom' {
  const effective = { ...PRESETS[DEFAULT_PRESET], ...options };
  for (const name of PRESET_NAMES) {
    if (PRESET_KEYS.every((k) => effective[k] === PRESETS[name][k])) return name;
  }
  return 'custom';
}

export interface NumericParam {
  key: NumericOptionName;
  min: number;
  max: number;
  step: number;
  integer: boolean;
}

/** The numeric fields the settings drawer shows, in order. */
export const NUMERIC_PARAMS: readonly NumericParam[] = [
  { key: 'temperature', min: 0, max: 2, step: 0.05, integer: false },
  { key: 'top_p', min: 0, max: 1, step: 0.01, integer: false },
  { key: 'top_k', min: 0, max: 1000, step: 1, integer: true },
  { key: 'repeat_penalty', min: 0, max: 2, step: 0.01, integer: false },
  { key: 'num_ctx', min: 128, max: 131072, step: 128, integer: true },
  // -1 (Ollama's "no limit") is accepted as typed but means the preset's cap here.
  { key: 'num_predict', min: -1, max: 32768, step: 1, integer: true },
  { key: 'seed', min: -1, max: 2 ** 31 - 1, step: 1, integer: true }
];

/**
 * Parses a field's text: '' → undefined (engine default); otherwise a number clamped into
 * range. Returns null for text that is not a number, so the UI can flag it.
 */
export function parseParam(param: NumericParam, text: string): number | undefined | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return null;
  const rounded = param.integer ? Math.round(value) : value;
  return Math.min(param.max, Math.max(param.min, rounded));
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\' };

/**
 * One stop sequence per line. `\n` and `\t` written literally stand for a newline and a tab
 * (a line break itself separates entries). Blank lines and duplicates are dropped.
 */
export function parseStopSequences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const value = line.replace(/\\([nt\\])/g, (_, c: string) => ESCAPES[c]);
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** The inverse of parseStopSequences, for showing stored stops in the textarea. */
export function formatStopSequences(stop: readonly string[] | undefined): string {
  return (stop ?? [])
    .map((s) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t'))
    .join('\n');
}

/** The cap of the preset the options match; a hand-tuned ("custom") set gets the default's. */
export function presetMaxTokens(options: Options): number {
  const preset = presetOf(options);
  return PRESET_MAX_TOKENS[preset === 'custom' ? DEFAULT_PRESET : preset];
}

/**
 * The num_predict actually sent. Empty, 0 and negative values (Ollama's "no limit" and
 * "fill the context") mean the preset's cap: an unbounded answer is never asked for.
 * Whatever was typed is then held under the context window × CONTEXT_FACTOR, where the
 * window is the requested num_ctx, else Ollama's default, both capped by the model's own.
 */
export function answerTokenLimit(options: Options, modelContext?: number): number {
  const typed = options.num_predict;
  const wanted =
    typeof typed === 'number' && Number.isFinite(typed) && typed >= 1
      ? Math.floor(typed)
      : presetMaxTokens(options);
  const requested =
    typeof options.num_ctx === 'number' && options.num_ctx > 0 ? options.num_ctx : DEFAULT_CONTEXT;
  const window = modelContext && modelContext > 0 ? Math.min(requested, modelContext) : requested;
  return Math.max(1, Math.min(wanted, Math.floor(window * CONTEXT_FACTOR)));
}

/**
 * The options sent with a chat request: preset defaults under the conversation's own
 * values, out-of-range numbers clamped, unset fields dropped, empty stop lists removed,
 * and always a finite answer-length cap. `modelContext` is the model's trained context.
 */
export function buildOptions(options: Options, modelContext?: number): Options {
  const merged: Options = { ...PRESETS[DEFAULT_PRESET], ...options };
  const out: Options = {};
  for (const param of NUMERIC_PARAMS) {
    const value = merged[param.key];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const parsed = parseParam(param, String(value));
    if (typeof parsed === 'number') out[param.key] = parsed;
  }
  if (out.seed !== undefined && out.seed < 0) delete out.seed;
  out.num_predict = answerTokenLimit({ ...merged, ...out }, modelContext);
  const stop = (merged.stop ?? []).filter((s) => s.length > 0);
  if (stop.length > 0) out.stop = [...new Set(stop)];
  return out;
}

export function defaultOptions(preset: PresetName = DEFAULT_PRESET): Options {
  return { ...PRESETS[preset] };
}
