/**
 * CPU engine: llama.cpp compiled to WebAssembly (wllama 3.8.1), reading GGUF weights
 * from Hearth's IndexedDB store. wllama builds its own module Worker (from code it
 * embeds) and runs every load and decode step there, so inference never blocks the UI
 * thread; this class only shapes requests and streams the answers back.
 */
import type { LoadModelParams, Wllama } from '@wllama/wllama/esm/index.js';
import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  Options
} from '#protocol/ollama/types';
import { readEmbedInput, readMessages, readOptions } from '#protocol/ollama/read-request';
import type { CatalogModel } from '../models/types';
import { readModelBlob } from '../store/model-files';
import { chatWithinContext } from './context-fit';
import { EngineError, type Engine, type EngineInfo, type LoadProgress } from './engine';
import { AsyncQueue, Mutex } from './async-queue';
import { runMetrics } from './metrics';
import {
  chatChunks,
  choiceText,
  embedResponse,
  finishToDoneReason,
  generateChunks,
  type FinalFields,
  type RunPiece
} from './pieces';
import { assertTextOnly, completionPromptFromChat, completionPromptFromGenerate } from './prompt';
import { wllamaMessages } from './wasm-messages';
import { supportsWasmSimd } from '../device/probe';
import { chooseWllamaBuild, type WllamaBuildKind } from './wllama-build';
import { createWllama } from './wllama-runtime';
import {
  chooseContext,
  chooseThreads,
  ggufTraits,
  llamaSamplingParams,
  looksLikeGguf,
  mapWllamaError,
  quietLogger,
  throwIfAborted,
  type LlamaChunk,
  type LlamaTimings
} from './wasm-options';

export const WLLAMA_VERSION = '3.8.1';

export interface WasmEngineOptions {
  /** Overrides the automatic choice (still forced to 1 without cross-origin isolation). */
  threads?: number | null;
  /** Where the GGUF comes from; defaults to the verified copy in IndexedDB. */
  readBlob?: (modelId: string) => Promise<Blob>;
  /** Overrides the automatic build choice (the bench compares them). */
  build?: WllamaBuildKind;
}

export class WasmEngine implements Engine {
  readonly kind = 'wasm' as const;
  private wllama: Wllama | null = null;
  private model: CatalogModel | null = null;
  private blob: Blob | null = null;
  private threads = 1;
  private build: WllamaBuildKind = 'stock';
  private contextSize = 0;
  private trainedContext: number | undefined;
  private embeddingModel = false;
  private chatTemplate = false;
  private crashed: EngineError | null = null;
  /** Load time not yet reported on a final chunk (Ollama charges it to the next request). */
  private unreportedLoadMs: number | undefined;
  private readonly mutex = new Mutex();

  constructor(private readonly options: WasmEngineOptions = {}) {}

  async load(
    model: CatalogModel,
    onProgress: (p: LoadProgress) => void,
    signal?: AbortSignal
  ): Promise<void> {
    if (model.format !== 'gguf') {
      throw new EngineError(
        'not-supported',
        `${model.name} is an MLC model; the WASM engine runs GGUF models only.`
      );
    }
    const release = await this.mutex.acquire();
    try {
      const started = performance.now();
      await this.stop();
      throwIfAborted(signal);
      onProgress({ phase: 'read', text: 'Reading weights from this browser' });
      const blob = await (this.options.readBlob ?? readModelBlob)(model.id);
      onProgress({ phase: 'read', loaded: blob.size, total: blob.size });
      if (!(await looksLikeGguf(blob))) {
        throw new EngineError('bad-model', `${model.name} is not a GGUF file (wrong magic bytes).`);
      }
      throwIfAborted(signal);
      this.blob = blob;
      this.model = model;
      this.trainedContext = model.contextLength;
      await this.start(chooseContext(undefined, model.contextLength), onProgress);
      if (signal?.aborted) {
        await this.stop();
        throw new EngineError('aborted', 'Loading was cancelled.');
      }
      this.unreportedLoadMs = performance.now() - started;
    } catch (error) {
      await this.stop();
      throw mapWllamaError(error, 'load');
    } finally {
      release();
    }
  }

  /** (Re)starts wllama on the held blob with a given context size. */
  private async start(contextSize: number, onProgress?: (p: LoadProgress) => void): Promise<void> {
    if (!this.blob || !this.model)
      throw new EngineError('not-downloaded', 'No model weights are loaded.');
    this.threads = chooseThreads(
      {
        cores: navigator.hardwareConcurrency || 1,
        crossOriginIsolated: globalThis.crossOriginIsolated === true
      },
      this.options.threads
    );
    this.build =
      this.options.build ??
      chooseWllamaBuild({
        modelBytes: this.blob.size,
        threads: this.threads,
        simd: supportsWasmSimd()
      });
    onProgress?.({
      phase: 'init',
      text: `Starting llama.cpp (wasm, ${this.threads} thread${this.threads > 1 ? 's' : ''})`
    });
    const traits = await ggufTraits(this.blob);
    const wllama = await createWllama(this.build, {
      suppressNativeLog: true,
      logger: quietLogger
    });
    const params: LoadModelParams = {
      n_threads: this.threads,
      n_ctx: contextSize,
      // One conversation at a time: a single slot gets the whole KV cache.
      n_parallel: 1,
      // CPU only: wllama's own WebGPU path needs shader-f16 and the WebGPU engine is web-llm.
      n_gpu_layers: 0,
      embeddings: traits.embedding,
      ...(traits.chatTemplate !== null && { chat_template: traits.chatTemplate }),
      // A prompt past the window is refused, not cut mid-message by llama.cpp: what goes
      // is then whole turns (Ollama's truncate), or the reader's choice. Answers stop at
      // the window's end, as web-llm's do.
      ctx_shift: false
    };
    this.wllama = wllama;
    this.crashed = null;
    await wllama.loadModel([this.blob], params);
    // wllama 3.8.1 does not check load_res.success: a GGUF llama.cpp refused (e.g. a
    // truncated file) "loads" and then crashes on the first token. Catch it here.
    const info = wllama.getLoadedContextInfo() as ReturnType<Wllama['getLoadedContextInfo']> & {
      success?: boolean;
    };
    if (info.success === false || !(info.n_vocab > 0) || !(info.n_ctx > 0)) {
      throw new EngineError(
        'bad-model',
        `llama.cpp could not load ${this.model.name}: the GGUF is incomplete or invalid.`
      );
    }
    this.trainedContext = info.n_ctx_train > 0 ? info.n_ctx_train : this.trainedContext;
    this.contextSize = info.n_ctx;
    this.embeddingModel = traits.embedding;
    this.chatTemplate = traits.chatTemplate !== null;
    if (this.trainedContext && info.n_ctx > this.trainedContext) {
      // The catalog did not know the trained context; restart within it.
      await wllama.exit();
      this.wllama = null;
      await this.start(this.trainedContext, onProgress);
    }
  }

  private async stop(): Promise<void> {
    const wllama = this.wllama;
    this.wllama = null;
    if (wllama) await wllama.exit().catch(() => undefined);
  }

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatResponse> {
    assertTextOnly(request);
    const model = this.requireModel();
    const asCompletion = model.completionOnly || !this.chatTemplate;
    // A final assistant message (a cut answer to continue) needs nothing special: the
    // completion prompt ends with it, and llama.cpp's chat path prefills a trailing
    // assistant turn (prefill_assistant, on by default) so the model writes on from it.
    const messages = readMessages(request.messages);
    const options = readOptions(request.options);
    if (asCompletion) {
      const body = { prompt: completionPromptFromChat(messages) };
      yield* chatChunks(request.model, this.run(body, options, signal), asFinal);
      return;
    }
    yield* chatWithinContext(messages, request.truncate, (fitting) =>
      chatChunks(
        request.model,
        this.run({ messages: wllamaMessages(fitting) }, options, signal),
        asFinal
      )
    );
  }

  async *generate(
    request: GenerateRequest,
    signal?: AbortSignal
  ): AsyncGenerator<GenerateResponse> {
    assertTextOnly(request);
    this.requireModel();
    const body = { prompt: completionPromptFromGenerate(request) };
    const options = readOptions(request.options);
    yield* generateChunks(request.model, this.run(body, options, signal), asFinal);
  }

  /**
   * Streams one completion. `body` holds either `prompt` (raw completion) or `messages`
   * (chat, formatted by the model's own template inside llama.cpp).
   */
  private async *run(
    body: { prompt: string } | { messages: ReturnType<typeof wllamaMessages> },
    options: Options | undefined,
    signal?: AbortSignal
  ): AsyncGenerator<RunPiece<FinalFields>> {
    const release = await this.mutex.acquire();
    const startedAt = performance.now();
    const stopper = new AbortController();
    const onAbort = () => stopper.abort();
    signal?.addEventListener('abort', onAbort);
    let completion: Promise<void> = Promise.resolve();
    try {
      if (signal?.aborted) stopper.abort();
      await this.ensureContext(options?.num_ctx);
      const wllama = this.requireRunning();
      const queue = new AsyncQueue<LlamaChunk>();
      const params = {
        ...body,
        ...llamaSamplingParams(options),
        stream: true as const,
        abortSignal: stopper.signal,
        onData: (chunk: unknown) => queue.push(chunk as LlamaChunk)
      };
      const call =
        'messages' in body
          ? wllama.createChatCompletion(
              params as unknown as Parameters<Wllama['createChatCompletion']>[0]
            )
          : wllama.createCompletion(params as unknown as Parameters<Wllama['createCompletion']>[0]);
      completion = Promise.resolve(call as Promise<unknown>).then(
        () => queue.end(),
        (error) => queue.fail(error)
      );

      let firstTokenAt: number | null = null;
      let evalTokens = 0;
      let finish: string | null = null;
      let timings: LlamaTimings | undefined;
      let usage: LlamaChunk['usage'];
      try {
        for await (const chunk of queue) {
          const choice = chunk.choices?.[0];
          const text = choiceText(choice);
          if (choice?.finish_reason) finish = choice.finish_reason;
          if (chunk.timings) timings = chunk.timings;
          if (chunk.usage) usage = chunk.usage;
          if (text) {
            firstTokenAt ??= performance.now();
            evalTokens++;
            yield { text };
          }
        }
      } catch (error) {
        const mapped = mapWllamaError(error, 'run');
        if (!(mapped instanceof EngineError && mapped.code === 'aborted')) {
          if (mapped instanceof EngineError && mapped.code === 'crashed') this.markCrashed(mapped);
          throw mapped;
        }
        finish = 'abort';
      }
      if (stopper.signal.aborted) finish = 'abort';
      const endedAt = performance.now();
      const metrics = runMetrics({
        startedAt,
        firstTokenAt,
        endedAt,
        promptTokens: timings?.prompt_n ?? usage?.prompt_tokens ?? 0,
        evalTokens: timings?.predicted_n ?? usage?.completion_tokens ?? evalTokens,
        promptMs: timings?.prompt_ms,
        evalMs: timings?.predicted_ms,
        loadMs: this.unreportedLoadMs
      });
      this.unreportedLoadMs = undefined;
      yield { text: '', done: { done_reason: finishToDoneReason(finish), ...metrics } };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A consumer that stops early (or a stop button) must free llama.cpp's slot.
      stopper.abort();
      await completion;
      release();
    }
  }

  async embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResponse> {
    const model = this.requireModel();
    if (!this.embeddingModel) {
      throw new EngineError(
        'not-supported',
        `${model.name} is not an embedding model (its GGUF declares no pooling).`
      );
    }
    const release = await this.mutex.acquire();
    try {
      throwIfAborted(signal);
      const started = performance.now();
      const wllama = this.requireRunning();
      const result = await wllama.createEmbedding({ input: readEmbedInput(request.input) });
      return embedResponse(request.model, result.data, started, result.usage?.prompt_tokens);
    } catch (error) {
      throw mapWllamaError(error, 'run');
    } finally {
      release();
    }
  }

  async unload(): Promise<void> {
    const release = await this.mutex.acquire();
    try {
      await this.stop();
      this.model = null;
      this.blob = null;
      this.crashed = null;
    } finally {
      release();
    }
  }

  info(): EngineInfo {
    return {
      kind: 'wasm',
      modelId: this.model?.id ?? null,
      detail: `wllama ${WLLAMA_VERSION} (${this.build} build), ${this.threads} thread${this.threads === 1 ? '' : 's'}, n_ctx ${this.contextSize}`,
      threads: this.threads
    };
  }

  private async ensureContext(numCtx: number | undefined): Promise<void> {
    if (numCtx === undefined) return;
    const wanted = chooseContext(numCtx, this.trainedContext);
    if (wanted === this.contextSize) return;
    // Like Ollama, a different num_ctx means a reload (cheap: the blob is already here).
    await this.stop();
    try {
      await this.start(wanted);
    } catch (error) {
      throw mapWllamaError(error, 'load');
    }
  }

  private requireModel(): CatalogModel {
    if (this.crashed) throw this.crashed;
    if (!this.model)
      throw new EngineError('not-downloaded', 'No model is loaded in the WASM engine.');
    return this.model;
  }

  private requireRunning(): Wllama {
    if (this.crashed) throw this.crashed;
    if (!this.wllama)
      throw new EngineError('crashed', 'The WASM engine is not running; reload it.');
    return this.wllama;
  }

  private markCrashed(error: EngineError): void {
    this.crashed = error;
    void this.stop();
  }
}

/** wllama's pieces already carry their final fields. */
const asFinal = (done: FinalFields): FinalFields => done;
