/**
 * Stream framing shared by every side: Ollama's NDJSON (one JSON object per line) and
 * OpenAI's server-sent events (`data: {...}` blocks ending with `data: [DONE]`).
 */

/** Splits a byte stream into lines, keeping a partial last line until more bytes arrive. */
export async function* readLines(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  const iterable: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in body
      ? (body as AsyncIterable<Uint8Array>)
      : streamIterable(body as ReadableStream<Uint8Array>);
  for await (const bytes of iterable) {
    buffered += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).replace(/\r$/, '');
      buffered = buffered.slice(newline + 1);
      yield line;
    }
  }
  buffered += decoder.decode();
  if (buffered.length > 0) yield buffered.replace(/\r$/, '');
}

async function* streamIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** An error line (`{"error": "..."}`) inside a stream that had already begun. */
export class StreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamError';
  }
}

/** Parses NDJSON; an `{"error"}` object in the stream is thrown as a StreamError. */
export async function* parseNdjson<T>(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
): AsyncGenerator<T> {
  for await (const line of readLines(body)) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new StreamError(`malformed stream line: ${line.slice(0, 120)}`);
    }
    if (value && typeof value === 'object' && 'error' in value && typeof value.error === 'string') {
      throw new StreamError(value.error);
    }
    yield value as T;
  }
}

/** Encodes one NDJSON line. */
export function ndjsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/** Encodes one server-sent event carrying JSON (or the literal `[DONE]`). */
export function sseEvent(value: unknown | '[DONE]'): string {
  return `data: ${value === '[DONE]' ? '[DONE]' : JSON.stringify(value)}\n\n`;
}

/** Parses `data:` events; stops at `[DONE]`. */
export async function* parseSse<T>(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
): AsyncGenerator<T> {
  let data: string[] = [];
  for await (const line of readLines(body)) {
    if (line === '') {
      if (data.length === 0) continue;
      const payload = data.join('\n');
      data = [];
      if (payload === '[DONE]') return;
      yield JSON.parse(payload) as T;
    } else if (line.startsWith('data:')) {
      data.push(line.slice(5).replace(/^ /, ''));
    }
  }
  if (data.length > 0 && data.join('\n') !== '[DONE]') yield JSON.parse(data.join('\n')) as T;
}
