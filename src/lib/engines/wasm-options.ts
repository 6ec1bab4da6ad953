/**
 * Pure decisions for the WASM engine (wllama 3.8.1, which embeds llama.cpp's server):
 * thread count, context size, Ollama options → llama-server sampling fields, the chunk
 * shape it streams, and how wllama's failures map to EngineError codes. Kept free of
 * wllama imports so they are unit-tested in Node.
 */
import type { Options } from '#protocol/ollama/types';
import { isGgufMagic, readGgufSummary } from '../gguf/read';
import { ModelNotStoredError } from '../store/model-files';
import { contextFullError } from './context-fit';
import { EngineError } from './engine';
import type { ChoiceLike } from './pieces';

/** Ollama's default num_ctx, and what the fit rules (models/gguf-builtins) budget for. */
export const DEFAULT_CONTEXT = 4096;
/** Beyond 4 threads the wasm build gains little and starves the UI thread's core. */
const MAX_THREADS = 4;

export interface ThreadEnvironment {
  cores: number;
  crossOriginIsolated: boolean;
}

/**
 * 1 thread when multi-threading is impossible (no cross-origin isolation → no
 * SharedArrayBuffer). Otherwise every core up to 2, then leave one core to the page.
 * Measured with `npm run bench:browser` on an idle 2-core machine, Hearth's SIMD builds
 * on 110M q4_0: 2 threads prefill 2.1× and decode 1.5× faster than 1. An explicit
 * override wins but is still clamped.
 */
export function chooseThreads(env: ThreadEnvironment, override?: number | null): number {
  const cores = Math.max(1, Math.floor(env.cores || 1));
  if (!env.crossOriginIsolated) return 1;
  if (override !== undefined && override !== null && Number.isFinite(override) && override >= 1) {
    return Math.min(Math.floor(override), cores);
  }
  if (cores <= 2) return cores;
  return Math.min(cores - 1, MAX_THREADS);
}

/** num_ctx, capped at what the model was trained for (and floored to something usable). */
export function chooseContext(
  requested: number | undefined,
  modelContext: number | undefined
): number {
  const wanted = requested && requested > 0 ? Math.floor(requested) : DEFAULT_CONTEXT;
  const cap = modelContext && modelContext > 0 ? modelContext : wanted;
  return Math.max(16, Math.min(wanted, cap));
}

/**
 * Ollama option names → llama-server request fields (wllama forwards the JSON body
 * to llama.cpp's server code unchanged). Only options the caller set are sent, so
 * llama.cpp's own defaults apply to the rest.
 */
export function llamaSamplingParams(options: Options | undefined): Record<string, unknown> {
  const o = options ?? {};
  const out: Record<string, unknown> = {};
  const copy = (from: keyof Options, to: string) => {
    const value = o[from];
    if (typeof value === 'number' && Number.isFinite(value)) out[to] = value;
  };
  copy('temperature', 'temperature');
  copy('top_p', 'top_p');
  copy('top_k', 'top_k');
  copy('min_p', 'min_p');
  copy('typical_p', 'typical_p');
  copy('repeat_penalty', 'repeat_penalty');
  copy('repeat_last_n', 'repeat_last_n');
  copy('presence_penalty', 'presence_penalty');
  copy('frequency_penalty', 'frequency_penalty');
  copy('seed', 'seed');
  copy('mirostat', 'mirostat');
  copy('mirostat_tau', 'mirostat_tau');
  copy('mirostat_eta', 'mirostat_eta');
  if (typeof o.num_predict === 'number' && Number.isFinite(o.num_predict)) {
    // Ollama: -1 = no limit, -2 = fill the context; llama.cpp: -1 covers both.
    out.n_predict = o.num_predict < 0 ? -1 : Math.floor(o.num_predict);
  }
  if (Array.isArray(o.stop)) {
    const stop = o.stop.filter((s) => typeof s === 'string' && s.length > 0);
    if (stop.length > 0) out.stop = stop;
  }
  return out;
}

/** The timings llama.cpp's server code attaches to the last chunk. */
export interface LlamaTimings {
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
}

export interface LlamaChunk {
  choices?: ChoiceLike[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  timings?: LlamaTimings;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EngineError('aborted', 'Loading was cancelled.');
}

/** llama.cpp logs every load step; only its warnings and errors reach the console. */
export const quietLogger = {
  debug: () => undefined,
  log: () => undefined,
  warn: (...args: unknown[]) => console.warn('[wllama]', ...args),
  error: (...args: unknown[]) => console.error('[wllama]', ...args)
};

interface WllamaLikeError {
  name?: string;
  message?: string;
  type?: string;
}

/**
 * wllama throws WllamaError (with a `type`), WllamaAbortError (name "AbortError") and
 * WllamaRuntimeError (name "RuntimeError": the wasm aborted, ran out of memory, or its
 * worker died). During load, any failure means llama.cpp rejected the file.
 */
export function mapWllamaError(error: unknown, phase: 'load' | 'run'): Error {
  if (error instanceof EngineError) return error;
  if (error instanceof ModelNotStoredError)
    return new EngineError('not-downloaded', error.message, { cause: error });
  const e = (error ?? {}) as WllamaLikeError;
  const message = typeof e.message === 'string' && e.message ? e.message : String(error);
  if (e.name === 'AbortError') return new EngineError('aborted', 'Stopped.', { cause: error });
  const outOfMemory =
    /out of memory|\bOOM\b|Cannot allocate|Array buffer allocation failed|memory access out of bounds/i;
  if (outOfMemory.test(message)) {
    return new EngineError('crashed', `The WASM engine ran out of memory: ${message}`, {
      cause: error
    });
  }
  if (phase === 'load') {
    return new EngineError(
      'bad-model',
      `This GGUF could not be loaded by llama.cpp (wllama): ${message}`,
      {
        cause: error
      }
    );
  }
  if (
    e.name === 'RuntimeError' ||
    (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError)
  ) {
    return new EngineError('crashed', `The WASM engine crashed: ${message}`, { cause: error });
  }
  const full = contextFullError(error);
  if (full) return full;
  return error instanceof Error ? error : new Error(message);
}

/** GGUF files start with the ASCII magic "GGUF"; anything else is refused before wllama sees it. */
export async function looksLikeGguf(blob: Blob): Promise<boolean> {
  if (blob.size < 8) return false;
  return isGgufMagic(new Uint8Array(await blob.slice(0, 4).arrayBuffer()));
}

export interface GgufTraits {
  /** Embedding GGUFs pool their outputs (`<arch>.pooling_type`) or attend non-causally. */
  embedding: boolean;
  /** The Jinja chat template (tokenizer.chat_template); null for a base model. */
  chatTemplate: string | null;
}

/**
 * What the engine must know of a GGUF before loading it, read by Hearth's own parser:
 * Hearth's SIMD builds of llama.cpp report no GGUF metadata back to wllama (its
 * getChatTemplate() is null there), so the template is read here and handed to llama.cpp.
 */
export async function ggufTraits(blob: Blob): Promise<GgufTraits> {
  const summary = await readGgufSummary(blob);
  const template = summary.metadata['tokenizer.chat_template'];
  return {
    embedding: summary.embedding,
    chatTemplate: typeof template === 'string' && template.trim() !== '' ? template : null
  };
}
