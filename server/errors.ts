import type { ErrorDetail } from '#protocol/errors';

/**
 * An error that carries its HTTP status, for the HTTP layer only (route handlers, body
 * parsing), where statuses are the vocabulary. The domain throws ./domain-errors.ts;
 * server/http/error-status.ts maps both.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Response headers the status needs, e.g. Retry-After on a 503. */
    readonly headers: Readonly<Record<string, string>> = {},
    /** The stable code a client translates by, when a person may read this refusal. */
    readonly detail?: ErrorDetail
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** For route handlers; domain code throws InvalidInputError / NotFoundError. */
export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

/** Longest message an error response carries; a client never needs more to fix a request. */
export const MAX_ERROR_MESSAGE = 1024;
/** Longest piece of client input quoted inside a message. */
export const MAX_QUOTED_INPUT = 100;

/**
 * Cuts text to at most `max` characters, saying how much was dropped, so a 10 MB field
 * cannot come back whole in a response or a log line. Never splits a surrogate pair.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `…[${text.length - max} more chars]`;
  if (max <= marker.length) return text.slice(0, max);
  let end = max - marker.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + marker;
}

/** Bytes `text` takes as a JSON string literal in UTF-8, quotes included. */
function encodedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/**
 * Cuts an error message so that JSON.stringify(message) takes at most `maxBytes` bytes
 * of UTF-8: a response body is bytes, and JSON escaping makes one control character six
 * of them, so a cap by characters alone lets a body grow six-fold. Says how many
 * characters were dropped; never splits a surrogate pair.
 */
export function capMessage(text: string, maxBytes = MAX_ERROR_MESSAGE): string {
  // Every UTF-16 unit takes at least one byte, so only a short text can already fit.
  if (text.length <= maxBytes && encodedBytes(text) <= maxBytes) return text;
  // The marker's own size, reserved for the longest count it could show.
  const reserve = encodedBytes(`…[${text.length} more chars]`) - 2;
  const budget = maxBytes - 2 - reserve;
  if (budget < 0) return '';
  let end = 0;
  let used = 0;
  while (end < text.length) {
    const units = (text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
    const cost = encodedBytes(text.slice(end, end + units)) - 2;
    if (used + cost > budget) break;
    used += cost;
    end += units;
  }
  return `${text.slice(0, end)}…[${text.length - end} more chars]`;
}

/**
 * Client input as it should appear inside an error message: truncated, and JSON-quoted
 * so newlines and control characters cannot forge extra lines in a log or a terminal.
 * `model ${quoteInput(name)} not found` → `model "llama3" not found`.
 */
export function quoteInput(value: unknown, max = MAX_QUOTED_INPUT): string {
  return JSON.stringify(truncateText(String(value), max));
}
