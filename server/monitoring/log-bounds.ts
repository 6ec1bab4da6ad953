/**
 * Size bounds for log lines. Whatever a client sends (a 10 MB model name, a huge prompt
 * with HEARTH_LOG_PROMPTS=1, an error quoting either) must not make one log line huge:
 * a fuzz run once grew the log to 149 MB. Each field is cut first, so a line keeps its
 * shape; the whole-line cap is the backstop for whatever still gets through.
 */
import { truncateText } from '../errors';

export const MAX_LOG_STRING = 2048;
export const MAX_LOG_STACK = 8192;
export const MAX_LOG_ITEMS = 50;
export const MAX_LOG_DEPTH = 6;
export const MAX_LOG_LINE = 16 * 1024;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of value with long strings cut and wide or deep structures trimmed. Class
 * instances other than errors pass through untouched: serializers (request, reply) and
 * the line cap deal with them, and walking them could hit getters or cycles.
 */
export function boundValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return truncateText(value, MAX_LOG_STRING);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (depth >= MAX_LOG_DEPTH) return Array.isArray(value) ? '[array]' : '[object]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LOG_ITEMS).map((item) => boundValue(item, depth + 1));
    if (value.length > MAX_LOG_ITEMS) items.push(`…[${value.length - MAX_LOG_ITEMS} more items]`);
    return items;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (kept++ === MAX_LOG_ITEMS) {
      out['…'] = 'more keys left out';
      break;
    }
    out[truncateText(key, 128)] = boundValue((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}

export interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

/** pino's error shape (type, message, stack, code, cause) with every part bounded. */
export function serializeError(error: Error, depth = 0): LoggedError {
  const out: LoggedError = {
    type: error.constructor?.name ?? error.name,
    message: truncateText(String(error.message), MAX_LOG_STRING),
    stack: truncateText(String(error.stack ?? ''), MAX_LOG_STACK)
  };
  const extra = error as Error & { code?: unknown; status?: unknown; statusCode?: unknown };
  for (const key of ['code', 'status', 'statusCode'] as const) {
    if (extra[key] !== undefined) out[key] = boundValue(extra[key], depth + 1);
  }
  if (error.cause !== undefined && depth < MAX_LOG_DEPTH)
    out.cause = boundValue(error.cause, depth + 1);
  return out;
}

/**
 * The logger's `err` serializer. The log formatter has usually bounded the error into a
 * plain object already; an error logged some other way is bounded here.
 */
export function errorSerializer(error: Error): LoggedError {
  return error instanceof Error ? serializeError(error) : (boundValue(error) as LoggedError);
}

/**
 * The last line of defence, on the finished JSON line: one still over the cap keeps its
 * top-level strings (time, level, msg, reqId, route…) cut short and its small values,
 * and names the fields it dropped.
 */
export function boundLine(line: string): string {
  if (line.length <= MAX_LOG_LINE) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') kept[key] = truncateText(value, 256);
      else if (JSON.stringify(value).length <= 256) kept[key] = value;
      else dropped.push(truncateText(key, 64));
    }
  }
  kept.truncated = { line_length: line.length, dropped: dropped.slice(0, MAX_LOG_ITEMS) };
  const text = JSON.stringify(kept);
  // Hundreds of short fields could still add up; then only the notice remains.
  return (
    (text.length <= MAX_LOG_LINE ? text : JSON.stringify({ truncated: kept.truncated })) + '\n'
  );
}
