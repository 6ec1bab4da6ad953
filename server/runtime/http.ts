/**
 * HTTP glue shared by the Ollama and OpenAI inference routes: an AbortSignal that fires
 * when the client goes away, and streaming of pre-encoded lines whose first event has
 * already been awaited (so errors before it still get a proper status code).
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseKeepAlive } from '#protocol/ollama/duration';
import { InvalidInputError } from '../domain-errors';
import { quoteInput } from '../errors';

/** Aborts when the connection closes before the response finished. */
export function clientSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onClose);
  request.raw.once('aborted', () => controller.abort());
  return controller.signal;
}

/** keep_alive from a request body: undefined when absent, ms otherwise (400 on nonsense). */
export function keepAliveOf(value: string | number | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const invalid = () =>
    new InvalidInputError(
      `invalid keep_alive ${quoteInput(value)}: use a duration like "5m" or seconds`
    );
  // Ollama refuses an empty duration; read as 0 it would unload the model by surprise.
  if (typeof value === 'string' && value.trim() === '') throw invalid();
  try {
    return parseKeepAlive(value, 0);
  } catch {
    throw invalid();
  }
}

/**
 * Sends an already-started stream of text lines. `encodeError` turns a failure after the
 * first byte into a final line, since the status code can no longer change.
 */
export function sendStream(
  reply: FastifyReply,
  contentType: string,
  lines: AsyncGenerator<string>,
  encodeError: (message: string) => string,
  signal: AbortSignal
): FastifyReply {
  async function* guarded(): AsyncGenerator<string> {
    try {
      for await (const line of lines) yield line;
    } catch (error) {
      if (signal.aborted) return;
      yield encodeError(error instanceof Error ? error.message : String(error));
    }
  }
  // highWaterMark 1: pull from the model only as fast as the client reads.
  const stream = Readable.from(guarded(), { objectMode: true, highWaterMark: 1 });
  reply.header('content-type', contentType);
  reply.header('cache-control', 'no-cache');
  reply.header('x-accel-buffering', 'no');
  return reply.send(stream);
}

/** Re-yields a generator after its first value was taken (to surface early errors). */
export async function* resume<T>(
  first: IteratorResult<T>,
  rest: AsyncGenerator<T>
): AsyncGenerator<T> {
  try {
    if (first.done) return;
    yield first.value;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return(undefined);
  }
}
