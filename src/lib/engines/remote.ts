/**
 * An Ollama-compatible server (a Hearth portal, or Ollama itself) behind the same Engine
 * interface as the in-browser engines, so the chat UI and the widget need not care.
 * Streams are Ollama NDJSON; an `{"error"}` line mid-stream surfaces as a StreamError.
 */
import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse
} from '#protocol/ollama/types';
import { ApiClient, ApiError, UnreachableError } from '#protocol/client';
import { parseNdjson } from '#protocol/stream';
import type { CatalogModel } from '../models/types';
import { contextFullError } from './context-fit';
import { EngineError, type Engine, type EngineInfo, type LoadProgress } from './engine';

export interface RemoteEngineOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` (a Hearth API key). */
  token?: string;
  /**
   * Extra headers per request, read at send time (e.g. the portal session's X-CSRF-Token,
   * which a cookie-authenticated POST needs and which changes on sign-in).
   */
  headers?: () => Record<string, string>;
  /** The server-side model name for a catalog entry; defaults to the id without "remote:". */
  remoteName?: (model: CatalogModel) => string;
  fetch?: typeof fetch;
}

export class RemoteEngine implements Engine {
  readonly kind = 'remote' as const;
  private readonly api: ApiClient;
  private model: CatalogModel | null = null;

  constructor(private readonly options: RemoteEngineOptions) {
    // Same origin: the portal's session cookie authenticates (never sent cross-origin).
    this.api = new ApiClient({
      baseUrl: options.baseUrl,
      token: options.token,
      headers: options.headers,
      credentials: 'same-origin',
      fetch: options.fetch
    });
  }

  private get baseUrl(): string {
    return this.api.baseUrl;
  }

  /** For messages: baseUrl '' means the server that served this page. */
  private get where(): string {
    return this.baseUrl || 'the Hearth server';
  }

  nameOf(model: CatalogModel): string {
    return this.options.remoteName?.(model) ?? model.id.replace(/^remote:/, '');
  }

  /** Checks the server knows the model; the server itself decides when to load weights. */
  async load(
    model: CatalogModel,
    onProgress: (p: LoadProgress) => void,
    signal?: AbortSignal
  ): Promise<void> {
    onProgress({ phase: 'init', text: `Asking ${this.where} for ${this.nameOf(model)}` });
    try {
      const response = await this.post('/api/show', { model: this.nameOf(model) }, signal);
      await response.body?.cancel();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        throw new EngineError(
          'not-downloaded',
          `${this.where} has no model ${this.nameOf(model)}: ${error.message}`
        );
      }
      throw error;
    }
    this.model = model;
  }

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatResponse> {
    // A final assistant message (a cut answer to continue) goes as is: Ollama's /api/chat
    // renders it as the open start of the reply, so the model writes on from it.
    const body = { ...request, model: this.remoteModel(request.model), stream: true };
    yield* this.stream<ChatResponse>('/api/chat', body, signal, (at) => ({
      model: request.model,
      created_at: at,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'abort'
    }));
  }

  async *generate(
    request: GenerateRequest,
    signal?: AbortSignal
  ): AsyncGenerator<GenerateResponse> {
    const body = { ...request, model: this.remoteModel(request.model), stream: true };
    yield* this.stream<GenerateResponse>('/api/generate', body, signal, (at) => ({
      model: request.model,
      created_at: at,
      response: '',
      done: true,
      done_reason: 'abort'
    }));
  }

  async embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResponse> {
    const response = await this.post(
      '/api/embed',
      { ...request, model: this.remoteModel(request.model) },
      signal
    );
    const result = (await response.json()) as EmbedResponse;
    return { ...result, model: request.model };
  }

  /** Only forgets the model: other users of a shared server may still be using it. */
  async unload(): Promise<void> {
    this.model = null;
  }

  info(): EngineInfo {
    return {
      kind: 'remote',
      modelId: this.model?.id ?? null,
      detail: `Ollama API at ${this.where}`
    };
  }

  private remoteModel(requested: string): string {
    return this.model && requested === this.model.id
      ? this.nameOf(this.model)
      : requested.replace(/^remote:/, '');
  }

  /** Streams NDJSON; a stop (abort) ends the stream with a final done_reason "abort" chunk. */
  private async *stream<T>(
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    abortChunk: (createdAt: string) => T
  ): AsyncGenerator<T> {
    let response: Response;
    try {
      response = await this.post(path, body, signal);
    } catch (error) {
      if (signal?.aborted) {
        yield abortChunk(new Date().toISOString());
        return;
      }
      throw error;
    }
    if (!response.body) throw new ApiError(response.status, `${path} answered with no body`);
    try {
      for await (const chunk of parseNdjson<T>(response.body)) yield chunk;
    } catch (error) {
      if (signal?.aborted) {
        yield abortChunk(new Date().toISOString());
        return;
      }
      throw contextFullError(error) ?? error;
    }
  }

  private async post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    try {
      return await this.api.send(path, { json: body, signal });
    } catch (error) {
      if (signal?.aborted) throw new EngineError('aborted', 'Stopped.', { cause: error });
      if (error instanceof UnreachableError)
        throw new Error(`Cannot reach ${this.where}: ${(error.cause as Error).message}`, {
          cause: error
        });
      // The server's own words for a prompt past the context (sent with truncate: false).
      throw contextFullError(error) ?? error;
    }
  }
}
