/**
 * The one place a failure becomes an HTTP status, headers and client message, whatever
 * threw it: the domain's typed errors (server/domain-errors.ts), the protocol package's
 * parse errors, the HTTP layer's own HttpError, Fastify's and zod's errors. The error
 * handler (./errors.ts) renders the result in each API family's shape; monitoring and
 * the CLI ask it what a failure amounts to.
 */
import type { ErrorDetail } from '#protocol/errors';
import { ParameterError } from '#protocol/modelfile/parameters';
import { ModelfileError } from '#protocol/modelfile/format';
import { ModelNameError } from '#protocol/ollama/names';
import { BusyError, DomainError, RateLimitedError, type DomainErrorKind } from '../domain-errors';
import { HttpError } from '../errors';

export interface HttpFailure {
  status: number;
  /** Uncapped: the renderer caps it in encoded bytes for the family's body. */
  message: string;
  headers: Readonly<Record<string, string>>;
  /** The code a client translates the message by, when the refusal has one. */
  detail?: ErrorDetail;
}

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  'invalid-input': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  // nginx's "client closed request": nobody is left to read it, but logs stay honest.
  canceled: 499,
  'model-defect': 500,
  upstream: 502,
  busy: 503
};

export const MALFORMED_URL = 'malformed percent-encoding in the URL (write "%" as %25)';

const FASTIFY_CODES: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: 'missing request body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: 'invalid JSON in request body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'unsupported content type' }
};

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

/** zod's messages name the field, so a client learns what to fix without reading server code. */
function zodMessage(issues: IssueLike[]): string {
  return issues
    .map((issue) =>
      issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message
    )
    .join('; ');
}

function isZodError(error: unknown): error is Error & { issues: IssueLike[] } {
  return (
    error instanceof Error &&
    error.name === 'ZodError' &&
    Array.isArray((error as { issues?: unknown }).issues)
  );
}

function retryAfter(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

/** A status another library chose (Fastify's errors carry `statusCode`). */
function ownStatus(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const candidate =
    (error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === 'number' && candidate >= 400 && candidate <= 599
    ? candidate
    : undefined;
}

/**
 * A failure whose status was chosen on purpose, or undefined for a programming error
 * (whose message may name internals and so is not passed on as it is).
 */
function knownFailure(error: unknown): HttpFailure | undefined {
  if (error instanceof DomainError) {
    const headers =
      error instanceof BusyError || error instanceof RateLimitedError
        ? retryAfter(error.retryAfterS)
        : {};
    return {
      status: STATUS_OF_KIND[error.kind],
      message: error.message,
      headers,
      detail: error.detail
    };
  }
  if (error instanceof HttpError)
    return {
      status: error.status,
      message: error.message,
      headers: error.headers,
      detail: error.detail
    };
  // The protocol package's parsers reject what a client wrote.
  if (
    error instanceof ModelNameError ||
    error instanceof ParameterError ||
    error instanceof ModelfileError
  )
    return { status: 400, message: error.message, headers: {} };
  // decodeURIComponent on a path or query part the client spelled wrongly.
  if (error instanceof URIError) return { status: 400, message: MALFORMED_URL, headers: {} };
  const code = (error as { code?: unknown } | null)?.code;
  const fastify = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
  if (fastify) return { ...fastify, headers: {} };
  if (isZodError(error)) return { status: 400, message: zodMessage(error.issues), headers: {} };
  if ((error as { validation?: unknown } | null)?.validation)
    return { status: 400, message: (error as Error).message, headers: {} };
  const status = ownStatus(error);
  if (status === undefined) return undefined;
  const message = error instanceof Error ? error.message : '';
  return { status, message: message || 'internal server error', headers: {} };
}

/** What to answer for `error`: an unforeseen one is a 500 that says so. */
export function toHttpFailure(error: unknown): HttpFailure {
  const known = knownFailure(error);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, message: `internal server error: ${message}`, headers: {} };
}

/** The status `error` is answered with. */
export function httpStatusOf(error: unknown): number {
  return toHttpFailure(error).status;
}
