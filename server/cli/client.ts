/**
 * The CLI's side of the API client (src/lib/ollama/client.ts): where the server is
 * (HEARTH_HOST / OLLAMA_HOST), and failures as messages a terminal user can act on.
 */
import { parseHost } from '../config';
import { ApiClient, ApiError, UnreachableError, type SendOptions } from '#protocol/client';
import { parseNdjson } from '#protocol/stream';

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
  const cause = (error as { cause?: { cause?: { code?: string } } })?.cause?.cause;
  return cause?.code;
}

/** The API client with its refusals and connection failures as messages for a terminal. */
export class HearthClient {
  private readonly api: ApiClient;

  constructor(
    readonly baseUrl: string,
    /** An API key for a server with sign-in on (HEARTH_API_KEY). */
    apiKey?: string
  ) {
    this.api = new ApiClient({ baseUrl, token: apiKey });
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): HearthClient {
    return new HearthClient(serverUrl(env), env.HEARTH_API_KEY?.trim() || undefined);
  }

  /** Runs work on the API client with failures turned into CliErrors. */
  withApi<T>(work: (api: ApiClient) => Promise<T>): Promise<T> {
    return this.call('', () => work(this.api));
  }

  private async call<T>(path: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ApiError) throw new CliError(error.message, error.status);
      if (!(error instanceof UnreachableError)) throw error;
      const code = connectionCode(error);
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
        throw new CliError(
          `could not connect to Hearth at ${this.baseUrl}, is it running? Start it with "hearth serve" (or set HEARTH_HOST)`
        );
      }
      const cause = (error.cause as Error | undefined)?.message ?? error.message;
      throw new CliError(`request to ${this.baseUrl}${path} failed: ${cause}`);
    }
  }

  /** The response of a 2xx (or any HEAD). */
  request(path: string, options: SendOptions = {}): Promise<Response> {
    return this.call(path, () => this.api.send(path, options));
  }

  json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return this.call(path, () => this.api.json<T>(path, { method, json: body, signal }));
  }

  /** POSTs a JSON request and yields the NDJSON objects the server streams back. */
  async *stream<T>(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<T> {
    const response = await this.request(path, { method: 'POST', json: body, signal });
    if (!response.body) return;
    yield* parseNdjson<T>(response.body);
  }
}
