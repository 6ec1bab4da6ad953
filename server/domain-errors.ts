/**
 * What the store, runtime, auth, bundle and widget-key code throw when a request cannot
 * be served. Each error says what went wrong, never how to answer it: the HTTP layer
 * (server/http/error-status.ts) turns a kind into a status and headers for every API
 * family, and the CLI prints the message as it is.
 */
import type { ErrorDetail } from '#protocol/errors';

export type DomainErrorKind =
  | 'invalid-input'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'canceled'
  | 'model-defect'
  | 'upstream'
  | 'busy';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** The stable code a client translates by, when a person may read this refusal. */
  readonly detail?: ErrorDetail;

  constructor(message: string, detail?: ErrorDetail) {
    super(message);
    this.detail = detail;
  }
}

/** The caller sent something that can never succeed as sent. */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid-input';
  constructor(message: string, detail?: ErrorDetail) {
    super(message, detail);
    this.name = 'InvalidInputError';
  }
}

/** No usable credentials: signing in (again) may help. */
export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
  constructor(message: string, detail?: ErrorDetail) {
    super(message, detail);
    this.name = 'UnauthorizedError';
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  constructor(message: string, detail?: ErrorDetail) {
    super(message, detail);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(message: string, detail?: ErrorDetail) {
    super(message, detail);
    this.name = 'NotFoundError';
  }
}

/** The request clashes with what already exists (a taken name, say). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(message: string, detail?: ErrorDetail) {
    super(message, detail);
    this.name = 'ConflictError';
  }
}

/** The caller used up its allowance; it may try again after `retryAfterS` seconds. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate-limited';
  constructor(
    message: string,
    readonly retryAfterS: number,
    detail?: ErrorDetail
  ) {
    super(message, detail);
    this.name = 'RateLimitedError';
  }
}

/** The caller went away; nobody reads the answer, but logs stay honest. */
export class CanceledError extends DomainError {
  readonly kind = 'canceled';
  constructor(message = 'request canceled') {
    super(message);
    // Matches the DOM's AbortError, which callers already recognise as a cancellation.
    this.name = 'AbortError';
  }
}

/** The model itself is broken (e.g. its template does not parse): the server's side, told to the client. */
export class ModelDefectError extends DomainError {
  readonly kind = 'model-defect';
  constructor(message: string, detail?: ErrorDetail) {
    super(message, detail);
    this.name = 'ModelDefectError';
  }
}

/** A server this one depends on (a registry) failed or answered nonsense. */
export class UpstreamError extends DomainError {
  readonly kind = 'upstream';
  constructor(message: string, detail?: ErrorDetail) {
    super(message, detail);
    this.name = 'UpstreamError';
  }
}

/** The server cannot take the request now; `retryAfterS`, when known, says when to retry. */
export class BusyError extends DomainError {
  readonly kind = 'busy';
  constructor(
    message: string,
    readonly retryAfterS?: number,
    detail?: ErrorDetail
  ) {
    super(message, detail);
    this.name = 'BusyError';
  }
}
