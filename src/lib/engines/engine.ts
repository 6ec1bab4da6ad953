/**
 * The one interface every inference engine answers — WebGPU (web-llm), WASM (wllama),
 * and a remote Ollama-compatible server — so the chat UI and the widget never care
 * which one runs. Requests and chunks are Ollama wire types (src/lib/ollama).
 */
import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse
} from '#protocol/ollama/types';
import type { CatalogModel, EngineKind } from '../models/types';

export type { EngineKind };

export interface LoadProgress {
  /** read: weights coming out of IndexedDB; fetch: network; init: engine start-up. */
  phase: 'fetch' | 'read' | 'init';
  loaded?: number;
  total?: number;
  text?: string;
}

export interface EngineInfo {
  kind: EngineKind;
  /** The model currently loaded, if any. */
  modelId: string | null;
  /** Human-readable: "wllama 3.8.1, 1 thread" or "web-llm on SwiftShader". */
  detail: string;
  threads?: number;
}

export type EngineErrorCode =
  | 'not-supported'
  | 'does-not-fit'
  | 'bad-model'
  | 'not-downloaded'
  | 'engine-missing'
  | 'context-full'
  | 'crashed'
  | 'device-lost'
  | 'aborted';

/** An engine failure with a code the UI can turn into advice (reload the engine, free space…). */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

export interface Engine {
  readonly kind: EngineKind;
  load(
    model: CatalogModel,
    onProgress: (p: LoadProgress) => void,
    signal?: AbortSignal
  ): Promise<void>;
  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatResponse>;
  generate(request: GenerateRequest, signal?: AbortSignal): AsyncIterable<GenerateResponse>;
  embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResponse>;
  unload(): Promise<void>;
  info(): EngineInfo;
}
