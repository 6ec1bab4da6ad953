/**
 * Sampling parameters: presets, the editable fields of the settings drawer, and the
 * clean-up that turns what a user typed into an Ollama `options` object. Empty fields mean
 * "engine default", so they are left out rather than sent as 0.
 */
import type { Options } from '../ollama/types';

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
  key: Exclude<keyof Options, 'stop' | 'penalize_newline'>;
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

/**
 * The options sent with a chat request: preset defaults under the conversation's own
 * values, out-of-range numbers clamped, unset fields dropped, empty stop lists removed.
 */
export function buildOptions(options: Options): Options {
  const merged: Options = { ...PRESETS[DEFAULT_PRESET], ...options };
  const out: Options = {};
  for (const param of NUMERIC_PARAMS) {
    const value = merged[param.key];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const parsed = parseParam(param, String(value));
    if (typeof parsed === 'number') out[param.key] = parsed;
  }
  if (out.seed !== undefined && out.seed < 0) delete out.seed;
  const stop = (merged.stop ?? []).filter((s) => s.length > 0);
  if (stop.length > 0) out.stop = [...new Set(stop)];
  return out;
}

export function defaultOptions(preset: PresetName = DEFAULT_PRESET): Options {
  return { ...PRESETS[preset] };
}
