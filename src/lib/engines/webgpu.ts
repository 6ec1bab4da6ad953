/**
 * GPU engine: web-llm 0.2.86 running MLC-compiled models in a dedicated Web Worker
 * (webgpu.worker.ts). web-llm is several MB, so it is imported only here, dynamically,
 * the first time a WebGPU model loads — never on the first page load. Its weights live
 * in web-llm's own IndexedDB cache (cacheBackend 'indexeddb'), not in Hearth's store.
 */
import type {
  ChatCompletionChunk,
  Completion,
  CompletionUsage,
  WebWorkerMLCEngine
} from '@mlc-ai/web-llm';
import type {
  ChatRequest,
  ChatResponse,
  DoneReason,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  Options
} from '#protocol/ollama/types';
import { readEmbedInput, readMessages, readOptions } from '#protocol/ollama/read-request';
import type { CatalogModel } from '../models/types';
import { chatWithinContext } from './context-fit';
import { EngineError, type Engine, type EngineInfo, type LoadProgress } from './engine';
import { mlcLoadConfig } from '../models/mlc-cache';
import { assertTextOnly, completionPromptFromChat, completionPromptFromGenerate } from './prompt';
import {
  chatChunks,
  choiceText,
  embedResponse,
  finishToDoneReason,
  generateChunks,
  type ChoiceLike,
  type FinalFields,
  type RunPiece
} from './pieces';
import {
  initProgressToLoad,
  mapWebLlmError,
  toWebLlmChatRequest,
  usageToMetrics,
  webLlmSampling
} from './webgpu-mapping';

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { description?: string; vendor?: string; isFallbackAdapter?: boolean };
}

type Piece = RunPiece<{ done_reason: DoneReason; usage: CompletionUsage | undefined }>;

export class WebGpuEngine implements Engine {
  readonly kind = 'webgpu' as const;
  private engine: WebWorkerMLCEngine | null = null;
  private worker: Worker | null = null;
  private model: CatalogModel | null = null;
  private failure: EngineError | null = null;
  private adapterDetail = '';
  private unreportedLoadMs: number | undefined;

  async load(
    model: CatalogModel,
    onProgress: (p: LoadProgress) => void,
    signal?: AbortSignal
  ): Promise<void> {
    if (model.format !== 'mlc') {
      throw new EngineError(
        'not-supported',
        `${model.name} is a GGUF model; WebGPU runs MLC models only.`
      );
    }
    const started = performance.now();
    const adapter = await requestAdapter();
    if (model.needsShaderF16 && !adapter.features.has('shader-f16')) {
      throw new EngineError(
        'not-supported',
        `${model.name} needs shader-f16, which this GPU lacks; pick a q4f32 variant.`
      );
    }
    this.adapterDetail = adapter.info?.isFallbackAdapter
      ? 'software fallback adapter'
      : adapter.info?.description || adapter.info?.vendor || 'GPU';
    await this.unload();
    onProgress({ phase: 'init', text: 'Starting web-llm' });
    const webllm = await import('@mlc-ai/web-llm');
    const worker = new Worker(new URL('./webgpu.worker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(new EngineError('aborted', 'Loading was cancelled.'));
      if (signal?.aborted) fail();
      signal?.addEventListener('abort', fail, { once: true });
    });
    try {
      // Portal-hosted models come with their own record (weights from the LAN); prebuilt
      // ones come from the chosen Hugging Face mirror, unless already cached from elsewhere.
      const appConfig = await mlcLoadConfig(webllm, model);
      const engine = await Promise.race([
        webllm.CreateWebWorkerMLCEngine(worker, model.id, {
          appConfig,
          initProgressCallback: (report) => onProgress(initProgressToLoad(report))
        }),
        aborted
      ]);
      this.engine = engine;
      this.model = model;
      this.failure = null;
      this.unreportedLoadMs = performance.now() - started;
    } catch (error) {
      worker.terminate();
      this.worker = null;
      throw mapWebLlmError(error);
    }
  }

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatResponse> {
    assertTextOnly(request);
    const model = this.require();
    if (model.completionOnly) {
      const prompt = completionPromptFromChat(readMessages(request.messages));
      const source = this.completionStream(prompt, readOptions(request.options), signal);
      yield* chatChunks(request.model, source, (done) => this.final(done));
      return;
    }
    yield* chatWithinContext(readMessages(request.messages), request.truncate, (messages) =>
      chatChunks(request.model, this.chatStream({ ...request, messages }, signal), (done) =>
        this.final(done)
      )
    );
  }

  async *generate(
    request: GenerateRequest,
    signal?: AbortSignal
  ): AsyncGenerator<GenerateResponse> {
    assertTextOnly(request);
    this.require();
    const prompt = completionPromptFromGenerate(request);
    const source = this.completionStream(prompt, readOptions(request.options), signal);
    yield* generateChunks(request.model, source, (done) => this.final(done));
  }

  private final(done: NonNullable<Piece['done']>): FinalFields {
    const metrics = usageToMetrics(done.usage, this.unreportedLoadMs ?? 0);
    this.unreportedLoadMs = undefined;
    return { done_reason: done.done_reason, ...metrics };
  }

  private chatStream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<Piece> {
    const engine = this.requireEngine();
    return this.pump(() => engine.chat.completions.create(toWebLlmChatRequest(request)), signal);
  }

  private completionStream(prompt: string, options: Options | undefined, signal?: AbortSignal) {
    const engine = this.requireEngine();
    const sampling = Object.fromEntries(
      Object.entries(webLlmSampling(options)).filter(([, v]) => v !== undefined)
    );
    return this.pump(
      () =>
        engine.completions.create({
          ...sampling,
          prompt,
          stream: true,
          stream_options: { include_usage: true }
        }),
      signal
    );
  }

  /** Drives one web-llm stream; the stop button maps to interruptGenerate(). */
  private async *pump(
    start: () => Promise<AsyncIterable<ChatCompletionChunk | Completion>>,
    signal?: AbortSignal
  ): AsyncGenerator<Piece> {
    const engine = this.requireEngine();
    const interrupt = () => engine.interruptGenerate();
    signal?.addEventListener('abort', interrupt);
    let finish: string | null = null;
    let usage: CompletionUsage | undefined;
    let finished = false;
    try {
      if (!signal?.aborted) {
        const stream = await start();
        for await (const chunk of stream) {
          const choice = chunk.choices[0] as ChoiceLike | undefined;
          const text = choiceText(choice);
          if (choice?.finish_reason) finish = choice.finish_reason;
          if (chunk.usage) usage = chunk.usage;
          if (text) yield { text };
        }
      }
      finished = true;
    } catch (error) {
      const mapped = mapWebLlmError(error);
      if (
        mapped instanceof EngineError &&
        (mapped.code === 'device-lost' || mapped.code === 'does-not-fit')
      ) {
        this.failure = mapped;
      }
      if (!(mapped instanceof EngineError && mapped.code === 'aborted')) throw mapped;
      finished = true;
    } finally {
      signal?.removeEventListener('abort', interrupt);
      if (!finished) engine.interruptGenerate();
    }
    const reason = signal?.aborted ? 'abort' : finishToDoneReason(finish);
    yield { text: '', done: { done_reason: reason, usage } };
  }

  async embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResponse> {
    const engine = this.requireEngine();
    if (signal?.aborted) throw new EngineError('aborted', 'Stopped.');
    const started = performance.now();
    try {
      const result = await engine.embeddings.create({ input: readEmbedInput(request.input) });
      return embedResponse(request.model, result.data, started, result.usage?.prompt_tokens);
    } catch (error) {
      const mapped = mapWebLlmError(error);
      if (/embedding|pipeline/i.test(mapped.message) && !(mapped instanceof EngineError)) {
        throw new EngineError(
          'not-supported',
          `${this.model?.name} cannot make embeddings: ${mapped.message}`
        );
      }
      throw mapped;
    }
  }

  async unload(): Promise<void> {
    const engine = this.engine;
    const worker = this.worker;
    this.engine = null;
    this.worker = null;
    this.model = null;
    this.failure = null;
    if (engine) await engine.unload().catch(() => undefined);
    worker?.terminate();
  }

  info(): EngineInfo {
    return {
      kind: 'webgpu',
      modelId: this.model?.id ?? null,
      detail: this.adapterDetail ? `web-llm 0.2.86 on ${this.adapterDetail}` : 'web-llm 0.2.86'
    };
  }

  private requireEngine(): WebWorkerMLCEngine {
    this.require();
    return this.engine!;
  }

  private require(): CatalogModel {
    if (this.failure) throw this.failure;
    if (!this.engine || !this.model)
      throw new EngineError('not-downloaded', 'No model is loaded in the WebGPU engine.');
    return this.model;
  }
}

async function requestAdapter(): Promise<GpuAdapterLike> {
  const gpu = (
    navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }
  ).gpu;
  if (!gpu) throw new EngineError('not-supported', 'WebGPU unavailable: navigator.gpu is missing.');
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) throw new EngineError('not-supported', 'WebGPU unavailable: no adapter.');
  return adapter;
}
