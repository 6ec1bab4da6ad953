/**
 * Sends one fuzzed request and checks what every answer must satisfy, whatever the
 * input: no 5xx but the allowed kinds, error bodies in the route family's error shape
 * and small (a server that echoes a 1 MB field back into its error is a finding), JSON
 * where JSON is claimed, and an answer within the time limit.
 */
import { rawRequest, RequestTimeout } from '../raw-http';
import { RawBody } from './values';

export type ErrorShape = 'ollama' | 'openai' | 'registry';

export interface FuzzRequest {
  method: string;
  /** Path and query, already encoded. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Each API family's error dialect: OpenAI's under /v1, the registry's under /v2, else Ollama's. */
export function shapeFor(path: string): ErrorShape {
  if (path === '/v1' || path.startsWith('/v1/') || path.startsWith('/v1?')) return 'openai';
  if (path === '/v2' || path.startsWith('/v2/') || path.startsWith('/v2?')) return 'registry';
  return 'ollama';
}

export interface CheckOptions {
  /** 5xx statuses that mean an upstream fault, not ours (a pull from an unreachable registry). */
  upstreamStatuses?: number[];
  timeoutMs: number;
}

export const MAX_ERROR_BYTES = 4 * 1024;

export type Outcome =
  | { kind: 'ok'; status: number }
  | { kind: 'timeout' }
  | { kind: 'violation'; status: number; problem: string; excerpt: string };

function errorMessageOf(shape: ErrorShape, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  if (shape === 'registry') {
    const errors = record.errors;
    if (!Array.isArray(errors) || errors.length === 0) return undefined;
    const first = errors[0] as Record<string, unknown> | null;
    return typeof first?.message === 'string' && typeof first.code === 'string'
      ? first.message
      : undefined;
  }
  if (shape === 'openai') {
    const error = record.error as Record<string, unknown> | null | undefined;
    return typeof error?.message === 'string' ? error.message : undefined;
  }
  return typeof record.error === 'string' ? record.error : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Stream lines (NDJSON or SSE `data:`) must be JSON; an error line must be shaped and small. */
function streamProblem(shape: ErrorShape, contentType: string, text: string): string | undefined {
  const sse = contentType.includes('text/event-stream');
  for (const rawLine of text.split('\n')) {
    const line = sse ? rawLine.replace(/^data: ?/, '') : rawLine;
    if (!line.trim() || (sse && !rawLine.startsWith('data:')) || line === '[DONE]') continue;
    const parsed = parseJson(line);
    if (!parsed.ok) return `stream line is not JSON: ${line.slice(0, 200)}`;
    const value = parsed.value as Record<string, unknown> | null;
    if (value && typeof value === 'object' && 'error' in value) {
      const message = errorMessageOf(shape === 'registry' ? 'ollama' : shape, value);
      if (!message) return `stream error line has no message: ${line.slice(0, 200)}`;
      if (Buffer.byteLength(line) > MAX_ERROR_BYTES)
        return `stream error line is ${Buffer.byteLength(line)} bytes`;
    }
  }
  return undefined;
}

function encodeBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  if (body instanceof RawBody) return body.text;
  return JSON.stringify(body);
}

/** Traversal paths must reach the server exactly as written, so the path goes raw. */
async function send(baseUrl: string, request: FuzzRequest, timeoutMs: number) {
  const body = encodeBody(request.body);
  const response = await rawRequest(baseUrl, {
    method: request.method,
    path: request.path,
    headers: {
      'content-type': 'application/json',
      ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
      ...request.headers
    },
    body,
    timeoutMs
  });
  return { ...response, text: response.body.toString('utf8') };
}

export async function sendAndCheck(
  baseUrl: string,
  request: FuzzRequest,
  options: CheckOptions
): Promise<Outcome> {
  let response: Awaited<ReturnType<typeof send>>;
  try {
    response = await send(baseUrl, request, options.timeoutMs);
  } catch (error) {
    if (error instanceof RequestTimeout) return { kind: 'timeout' };
    return {
      kind: 'violation',
      status: 0,
      problem: `connection failed: ${(error as Error).message}`,
      excerpt: ''
    };
  }
  const { status, text } = response;
  const contentType = String(response.headers['content-type'] ?? '');
  const excerpt = text.slice(0, 300);
  const violation = (problem: string): Outcome => ({ kind: 'violation', status, problem, excerpt });

  if (status >= 500) {
    const allowedBusy = status === 503 && response.headers['retry-after'] !== undefined;
    if (!allowedBusy && !(options.upstreamStatuses ?? []).includes(status))
      return violation(`server error ${status}`);
  }
  if (status >= 400) {
    if (request.method === 'HEAD') return { kind: 'ok', status };
    const parsed = parseJson(text);
    if (!parsed.ok) return violation(`error body is not JSON (${contentType})`);
    const shape = shapeFor(request.path);
    const message = errorMessageOf(shape, parsed.value);
    if (!message) return violation(`error body is not in the ${shape} error shape`);
    if (Buffer.byteLength(text) > MAX_ERROR_BYTES)
      return violation(`error body is ${Buffer.byteLength(text)} bytes`);
    return { kind: 'ok', status };
  }
  if (contentType.includes('ndjson') || contentType.includes('event-stream')) {
    const problem = streamProblem(shapeFor(request.path), contentType, text);
    return problem ? violation(problem) : { kind: 'ok', status };
  }
  if (contentType.includes('json') && text !== '' && !parseJson(text).ok)
    return violation('success body claims JSON but is not');
  return { kind: 'ok', status };
}
