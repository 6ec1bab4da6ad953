/**
 * Renders every failure in the shape clients expect: Ollama's `{"error": "..."}` under
 * /api and elsewhere, OpenAI's `{"error": {message, type, param, code}}` under /v1, the
 * registry's `{"errors": [{code, message}]}` under /v2/ (Ollama's puller parses that).
 * Status, headers and message come from one mapping (./error-status.ts); messages are
 * capped in encoded bytes (capMessage). Stack traces go to the log, never to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, ErrorDetail } from '#protocol/errors';
import type { OAIError } from '#protocol/openai/types';
import { capMessage } from '../errors';
import { toHttpFailure } from './error-status';

export { MALFORMED_URL } from './error-status';

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
  otherType = status >= 500 ? 'api_error' : 'invalid_request_error',
  detail?: ErrorDetail
): OAIError {
  return {
    error: {
      message: capMessage(message),
      type: OPENAI_TYPES[status] ?? otherType,
      param: null,
      code: detail?.code ?? null
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

/** Ollama's `{"error"}` body (plus Hearth's code); also each failure line of an NDJSON stream. */
export function ollamaError(message: string, detail?: ErrorDetail): ErrorBody {
  // Messages may quote what the client sent; a huge field must not come back whole.
  return { error: capMessage(message), ...detail };
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
export function errorBody(
  url: string,
  status: number,
  message: string,
  detail?: ErrorDetail
): object {
  if (isOpenAIPath(url)) return openAIError(status, message, undefined, detail);
  if (isRegistryPath(url)) return registryErrorBody(registryCode(status, url), message);
  return ollamaError(message, detail);
}

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  detail?: ErrorDetail
) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(req.url, status, message, detail));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const failure = toHttpFailure(error);
    if (failure.status >= 500) req.log.error({ err: error, url: req.url }, 'request failed');
    if (reply.sent || reply.raw.headersSent) {
      // A stream was already under way: the route writes its own error line; just end it.
      reply.raw.end();
      return;
    }
    reply.headers(failure.headers);
    return sendError(req, reply, failure.status, failure.message, failure.detail);
  });
}
