/**
 * The CLI's HTTP client: plain fetch against the server's Ollama API. (The `ollama` npm
 * package is a test-only dependency, so the CLI cannot use it at run time.)
 */
import { parseHost } from '../config';
import { parseNdjson } from '../../src/lib/ollama/stream';

/** An error meant for the user: printed as "Error: <message>", exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** HEARTH_HOST / OLLAMA_HOST as a URL to connect to; a wildcard bind address means this machine. */
export function serverUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = [env.HEARTH_HOST, env.OLLAMA_HOST]
    .find((v) => v !== undefined && v.trim() !== '')
    ?.trim();
  const scheme = raw?.match(/^(https?):\/\//)?.[1] ?? 'http';
  const { host, port } = parseHost(raw);
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = target.includes(':') ? `[${target}]` : target;
  return `${scheme}://${hostPart}:${port}`;
}

function connectionCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code;
}

export class HearthClient {
  constructor(
    readonly baseUrl: string,
    /** An API key for a server with sign-in on (HEARTH_API_KEY). */
    private readonly apiKey?: string
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): HearthClient {
    return new HearthClient(serverUrl(env), env.HEARTH_API_KEY?.trim() || undefined);
  }

  /** fetch with errors turned into messages a user can act on. */
  async request(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    let response: Response;
    try {
      const headers = new Headers(init.headers);
      if (this.apiKey) headers.set('Authorization', `Bearer ${this.apiKey}`);
      response = await fetch(this.baseUrl + path, { ...init, headers });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const code = connectionCode(error);
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
        throw new CliError(
          `could not connect to Hearth at ${this.baseUrl}, is it running? Start it with "hearth serve" (or set HEARTH_HOST)`
        );
      }
      throw new CliError(`request to ${this.baseUrl}${path} failed: ${(error as Error).message}`);
    }
    if (!response.ok && init.method !== 'HEAD') throw await errorFrom(response);
    return response;
  }

  async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.request(path, {
      method,
      signal,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** POSTs a JSON request and yields the NDJSON objects the server streams back. */
  async *stream<T>(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<T> {
    const response = await this.request(path, {
      method: 'POST',
      signal,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    });
    if (!response.body) return;
    yield* parseNdjson<T>(response.body);
  }
}

async function errorFrom(response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let message = text.trim() || `${response.status} ${response.statusText}`;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
    else if (parsed.error && typeof parsed.error === 'object' && 'message' in parsed.error) {
      message = String((parsed.error as { message: unknown }).message);
    }
  } catch {
    // Not JSON: keep the text as is.
  }
  return new CliError(message, response.status);
}
