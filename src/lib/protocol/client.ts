/**
 * The one HTTP client for Hearth's API (and any Ollama server): the CLI, the chat's
 * remote engine, the portal pages and the widget all send through it. It adds the
 * credentials each caller uses (a bearer key, a session cookie with its CSRF header on
 * writes), sends JSON, reads NDJSON streams, and turns every refusal into an ApiError
 * with the status and the server's own message, whatever the body was.
 */
import { isErrorCode, type ErrorDetail } from './errors';
import { parseNdjson } from './stream';

/** A refusal: the server answered, with a status outside 2xx. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Hearth's code for the refusal, which the app translates; absent from other servers. */
    readonly detail?: ErrorDetail
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all: connection refused, name not found, offline, or a refused CORS check. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown
  ) {
    super(`cannot reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause
    });
    this.name = 'UnreachableError';
  }
}

/** Longest piece of a non-JSON error body worth showing. */
const MAX_TEXT = 200;

/**
 * The message a refusal carries: Ollama's `{"error": "…"}`, OpenAI's
 * `{"error": {"message": "…"}}`, a short plain-text body, or else the status line (an
 * HTML page from a proxy says nothing a person could act on).
 */
export function errorMessageOf(status: number, statusText: string, body: string): string {
  const text = body.trim();
  try {
    const { error } = JSON.parse(text) as { error?: unknown };
    if (typeof error === 'string' && error) return error;
    const message = (error as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not JSON: the text itself, below.
  }
  if (text && !text.startsWith('<')) return text.slice(0, MAX_TEXT);
  return `${status} ${statusText}`.trim();
}

/** Hearth's code (and its values) in an Ollama- or OpenAI-shaped error body, if any. */
export function errorDetailOf(body: string): ErrorDetail | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; code?: unknown; params?: unknown };
    const code = parsed.code ?? (parsed.error as { code?: unknown } | null)?.code;
    if (!isErrorCode(code)) return undefined;
    const params = parsed.params;
    return params && typeof params === 'object' && !Array.isArray(params)
      ? { code, params: params as ErrorDetail['params'] }
      : { code };
  } catch {
    return undefined;
  }
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  const body = await response.text().catch(() => '');
  return new ApiError(
    response.status,
    errorMessageOf(response.status, response.statusText, body),
    errorDetailOf(body)
  );
}

export interface ClientOptions {
  /** Where the API lives; '' (the default) is the server that served this page. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer …` (an API key or a widget key). */
  token?: string;
  /** Headers read at send time, e.g. the portal session's CSRF token on writes. */
  headers?: (method: string) => Record<string, string>;
  credentials?: RequestCredentials;
  fetch?: typeof fetch;
}

export interface SendOptions {
  /** Defaults to POST when there is a body, else GET. */
  method?: string;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (a file, a stream); streams need `duplex: 'half'`. */
  body?: BodyInit;
  duplex?: 'half';
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as Error)?.name === 'AbortError';
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  }

  /** The response of a 2xx (or any HEAD); throws ApiError, UnreachableError or the abort. */
  async send(path: string, options: SendOptions = {}): Promise<Response> {
    const hasBody = options.json !== undefined || options.body !== undefined;
    const method = options.method ?? (hasBody ? 'POST' : 'GET');
    const headers = new Headers(this.options.headers?.(method));
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    if (this.options.token) headers.set('Authorization', `Bearer ${this.options.token}`);
    if (options.json !== undefined) headers.set('Content-Type', 'application/json');
    const url = this.baseUrl + path;
    const doFetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
        credentials: this.options.credentials,
        signal: options.signal,
        ...(options.duplex ? { duplex: options.duplex } : {})
      });
    } catch (error) {
      if (isAbort(error, options.signal)) throw error;
      throw new UnreachableError(url, error);
    }
    if (!response.ok && method !== 'HEAD') throw await errorFromResponse(response);
    return response;
  }

  /** The JSON answer; an empty one (204) is undefined. */
  async json<T>(path: string, options: SendOptions = {}): Promise<T> {
    const text = await (await this.send(path, options)).text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The objects of an NDJSON answer as they arrive (an `{"error"}` line throws). */
  async *ndjson<T>(path: string, options: SendOptions = {}): AsyncGenerator<T> {
    const response = await this.send(path, options);
    if (!response.body) throw new ApiError(response.status, `${path} answered with no body`);
    yield* parseNdjson<T>(response.body);
  }
}
