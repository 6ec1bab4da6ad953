/**
 * Renders every failure in the shape clients expect: Ollama's `{"error": "..."}` under
 * /api and elsewhere, OpenAI's `{"error": {message, type, param, code}}` under /v1, the
 * registry's `{"errors": [{code, message}]}` under /v2/ (Ollama's puller parses that).
 * Messages are capped in encoded bytes (capMessage). Stack traces go to the log, never
 * to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OAIError } from '#protocol/openai/types';
import { HttpError, capMessage } from '../errors';

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error'
};

/** OpenAI's error body; `otherType` names the statuses OpenAI's table has no type for. */
export function openAIError(
  status: number,
  message: string,
  otherType = status >= 500 ? 'api_error' : 'invalid_request_error'
): OAIError {
  return {
    error: {
      message: capMessage(message),
      type: OPENAI_TYPES[status] ?? otherType,
      param: null,
      code: null
    }
  };
}

export function isOpenAIPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/');
}

export function isRegistryPath(url: string): boolean {
  const pathname = url.split('?')[0];
  return pathname === '/v2' || pathname.startsWith('/v2/');
}

/** Paths of the APIs (Ollama's, OpenAI's, the registry's): never the web app's files. */
export function isApiPath(url: string): boolean {
  const pathname = url.split('?')[0];
  return (
    pathname === '/api' ||
    pathname.startsWith('/api/') ||
    isOpenAIPath(pathname) ||
    isRegistryPath(pathname)
  );
}

/** Ollama's `{"error"}` body; also each failure line of an NDJSON stream. */
export function ollamaError(message: string): { error: string } {
  // Messages may quote what the client sent; a huge field must not come back whole.
  return { error: capMessage(message) };
}

export interface RegistryErrorBody {
  errors: { code: string; message: string }[];
}

export function registryErrorBody(code: string, message: string): RegistryErrorBody {
  return { errors: [{ code, message: capMessage(message) }] };
}

/**
 * The distribution spec's code for a status the route did not name itself (its table
 * has no generic "not found": a 404 names what is unknown, by the path's kind).
 */
function registryCode(status: number, url: string): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 429) return 'TOOMANYREQUESTS';
  // Docker distribution's code for a 416.
  if (status === 416) return 'RANGE_INVALID';
  if (status >= 500) return 'UNKNOWN';
  if (status === 404) {
    const kind = url.split('?')[0].split('/')[4];
    if (kind === 'blobs') return 'BLOB_UNKNOWN';
    if (kind === 'manifests') return 'MANIFEST_UNKNOWN';
    return 'NAME_UNKNOWN';
  }
  return 'UNSUPPORTED';
}

export function registryError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).type('application/json').send(registryErrorBody(code, message));
}

/** The error body for `url`'s API family. */
export function errorBody(url: string, status: number, message: string): object {
  if (isOpenAIPath(url)) return openAIError(status, message);
  if (isRegistryPath(url)) return registryErrorBody(registryCode(status, url), message);
  return ollamaError(message);
}

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string
) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(req.url, status, message));
}

function statusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const candidate =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === 'number' && candidate >= 400 && candidate <= 599
    ? candidate
    : undefined;
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

/** zod's messages name the field, so a client learns what to fix without reading server code. */
function zodMessage(error: { issues: IssueLike[] }): string {
  return error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message
    )
    .join('; ');
}

/** Translates Fastify's own error codes into messages that say what the client sent wrong. */
export const MALFORMED_URL = 'malformed percent-encoding in the URL (write "%" as %25)';

function describe(error: FastifyError): { status: number; message: string } | undefined {
  // decodeURIComponent on a path or query part the client spelled wrongly.
  if (error instanceof URIError) return { status: 400, message: MALFORMED_URL };
  switch (error.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'missing request body' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, message: 'invalid JSON in request body' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'request body is too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `unsupported content type` };
  }
  if (
    error.name === 'ZodError' &&
    Array.isArray((error as unknown as { issues?: unknown }).issues)
  ) {
    return { status: 400, message: zodMessage(error as unknown as { issues: IssueLike[] }) };
  }
  if (error.validation) return { status: 400, message: error.message };
  return undefined;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const known = describe(error);
    const status = known?.status ?? statusOf(error) ?? 500;
    let message = known?.message ?? (error.message || 'internal server error');
    if (status >= 500) {
      req.log.error({ err: error, url: req.url }, 'request failed');
      // A programming error's message can name internals; an error that chose its own
      // status (e.g. "model requires more memory") is meant for the client.
      if (statusOf(error) === undefined) message = `internal server error: ${error.message}`;
    }
    if (reply.sent || reply.raw.headersSent) {
      // A stream was already under way: the route writes its own error line; just end it.
      reply.raw.end();
      return;
    }
    if (error instanceof HttpError) reply.headers(error.headers);
    return sendError(req, reply, status, message);
  });
}
