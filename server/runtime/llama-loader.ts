/**
 * The one place node-llama-cpp is initialised and models are opened. The Llama instance
 * is created lazily (the first request pays for it, `hearth --help` does not) and once.
 *
 * Threads are always explicit: with node-llama-cpp's defaults generation ran ~50x slower
 * on the 2-core machines this was measured on (see config.defaultThreads).
 */
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaModel
} from 'node-llama-cpp';
import type { FastifyBaseLogger } from 'fastify';
import { DecodeGate } from './decode-gate';

let llamaPromise: Promise<Llama> | undefined;
let llamaThreads = 0;

export function sharedLlama(maxThreads: number, log?: FastifyBaseLogger): Promise<Llama> {
  if (!llamaPromise) {
    llamaThreads = maxThreads;
    llamaPromise = getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      maxThreads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (!text) return;
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal)
          log?.error({ llama: true }, text);
        else log?.warn({ llama: true }, text);
      }
    }).catch((error: unknown) => {
      llamaPromise = undefined;
      throw error;
    });
  } else if (maxThreads > llamaThreads) {
    log?.warn(
      `node-llama-cpp already started with maxThreads ${llamaThreads}; ${maxThreads} requested`
    );
  }
  return llamaPromise;
}

export interface LoadedWeights {
  model: LlamaModel;
  context: LlamaContext;
  /** Tokens each sequence really holds (node-llama-cpp may round the request up). */
  contextSize: number;
  /** num_ctx in effect: the request's, clamped to the model's training context. */
  numCtx: number;
  threads: number;
  /** Holds each decode until the context's running streams have all queued a token. */
  gate: DecodeGate;
}

export interface WeightsRequest {
  modelPath: string;
  /** Requested context length (num_ctx or the server default); 0 → the model's own. */
  contextLength: number;
  sequences: number;
  threads: number;
  signal?: AbortSignal;
}

/** Smallest context a slot gets, whatever num_ctx asked for. */
const MIN_CONTEXT = 16;

/**
 * num_ctx as a model can honour it: 0 means the model's own, and like Ollama nothing
 * beyond what it was trained for (`trained` 0 = unknown, no clamp).
 */
export function effectiveContext(requested: number, trained: number): number {
  const wanted = requested > 0 ? requested : trained;
  return Math.max(MIN_CONTEXT, trained > 0 ? Math.min(wanted, trained) : wanted);
}

/** Opens a GGUF and creates its context with `sequences` parallel slots. */
export async function loadWeights(llama: Llama, request: WeightsRequest): Promise<LoadedWeights> {
  const model = await llama.loadModel({
    modelPath: request.modelPath,
    gpuLayers: 0,
    loadSignal: request.signal
  });
  try {
    const perSequence = effectiveContext(request.contextLength, model.trainContextSize);
    const gate = new DecodeGate();
    // node-llama-cpp's contextSize is per sequence; it may round it up slightly.
    const context = await model.createContext({
      contextSize: perSequence,
      sequences: request.sequences,
      threads: request.threads,
      batching: { dispatchSchedule: gate.schedule, itemPrioritizationStrategy: gate.prioritize },
      createSignal: request.signal
    });
    gate.attach(context);
    return {
      gate,
      model,
      context,
      contextSize: context.contextSize,
      numCtx: Math.min(perSequence, context.contextSize),
      threads: request.threads
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

export async function disposeWeights(weights: LoadedWeights): Promise<void> {
  await weights.context.dispose();
  await weights.model.dispose();
}
