/**
 * Maps Ollama's `options` onto node-llama-cpp's sampler settings, with Ollama's defaults
 * (temperature 0.8, top_k 40, top_p 0.9, repeat_penalty 1.1 over the last 64 tokens).
 *
 * Not supported by node-llama-cpp 3.22 and therefore accepted but ignored: typical_p,
 * mirostat*, penalize_newline (newlines are never penalized), num_keep, num_batch, num_gpu.
 */
import type { SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import type { Options } from '#protocol/ollama/types';

export const OLLAMA_DEFAULTS = {
  temperature: 0.8,
  top_k: 40,
  top_p: 0.9,
  min_p: 0,
  repeat_penalty: 1.1,
  repeat_last_n: 64
} as const;

/** Options in effect: the model's Modelfile parameters, then the request's. */
export function mergeOptions(modelParameters: Options, request: Options | undefined): Options {
  const merged: Options = { ...modelParameters };
  for (const [key, value] of Object.entries(request ?? {})) {
    if (value !== undefined && value !== null) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/**
 * Penalties llama.cpp can apply with finite float32 logits. Beyond float range
 * (frequency_penalty -1e39) or dividing by a repeat_penalty of 0, logits become
 * infinite, and with a grammar (`format`) node-llama-cpp then never returns a token: one
 * request held its slot forever. Values are clamped into range, as sampling stays defined.
 */
const PENALTY_LIMIT = 1e6;
const MIN_REPEAT_PENALTY = 1 / PENALTY_LIMIT;

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Ollama's sampling options with defaults applied and penalties clamped into range. */
export interface SamplingSettings {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  /** undefined: a random seed, as Ollama picks one when none is given. */
  seed?: number;
  /** undefined: no penalty applies. `lastN` -1 = the whole context. */
  penalty?: { lastN: number; repeat: number; frequency: number; presence: number };
}

export function samplingSettings(options: Options): SamplingSettings {
  const lastN = options.repeat_last_n ?? OLLAMA_DEFAULTS.repeat_last_n;
  const repeat = clamp(
    options.repeat_penalty ?? OLLAMA_DEFAULTS.repeat_penalty,
    MIN_REPEAT_PENALTY,
    PENALTY_LIMIT
  );
  const frequency = clamp(options.frequency_penalty ?? 0, -PENALTY_LIMIT, PENALTY_LIMIT);
  const presence = clamp(options.presence_penalty ?? 0, -PENALTY_LIMIT, PENALTY_LIMIT);
  const penalize = lastN !== 0 && (repeat !== 1 || frequency !== 0 || presence !== 0);
  return {
    temperature: Math.max(0, options.temperature ?? OLLAMA_DEFAULTS.temperature),
    topK: options.top_k ?? OLLAMA_DEFAULTS.top_k,
    topP: options.top_p ?? OLLAMA_DEFAULTS.top_p,
    minP: options.min_p ?? OLLAMA_DEFAULTS.min_p,
    seed: options.seed !== undefined && options.seed >= 0 ? options.seed : undefined,
    penalty: penalize ? { lastN: lastN < 0 ? -1 : lastN, repeat, frequency, presence } : undefined
  };
}

/**
 * node-llama-cpp's sampler settings for one generation. `history` returns the tokens the
 * repeat penalty looks back over (prompt and output so far), as llama.cpp's last-n window
 * does.
 */
export function samplerOptions(options: Options, history: () => Token[]): SequenceEvaluateOptions {
  const { penalty, ...settings } = samplingSettings(options);
  const windowSize = penalty?.lastN === -1 ? Number.MAX_SAFE_INTEGER : (penalty?.lastN ?? 0);
  return {
    ...settings,
    repeatPenalty: penalty
      ? {
          punishTokens: () => history().slice(-windowSize),
          maxPunishTokens: Math.min(windowSize, 4096),
          penalty: penalty.repeat,
          frequencyPenalty: penalty.frequency || undefined,
          presencePenalty: penalty.presence || undefined
        }
      : undefined
  };
}

/**
 * How many times the context an open-ended generation may run, as Ollama bounds it: a
 * model that never emits its end token must not hold a slot forever.
 */
export const OPEN_ENDED_CONTEXT_MULTIPLIER = 10;

/** Ollama's num_predict meaning "stop when the context is full". */
export const FILL_CONTEXT = -2;

/**
 * The most tokens one generation may produce. `numCtx` is the slot's context length
 * (num_ctx after clamping to what the model was trained for). Absent, negative (Ollama's
 * -1 "until a stop") and oversized num_predict all end at 10 × num_ctx; -2 ends when the
 * prompt and the answer fill the context.
 */
export function tokenLimit(options: Options, numCtx: number, promptLength: number): number {
  const cap = OPEN_ENDED_CONTEXT_MULTIPLIER * Math.max(1, numCtx);
  const n = options.num_predict;
  if (n === FILL_CONTEXT) return Math.max(0, Math.min(cap, numCtx - promptLength));
  if (n === undefined || n === null || n < 0 || n > cap) return cap;
  return n;
}
