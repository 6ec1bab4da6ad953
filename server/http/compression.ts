/**
 * Response compression. The web app is compressed once, at build time (the adapter's
 * precompress writes .br and .gz beside each file; static-app.ts serves them). Here:
 * JSON answers the handlers build in memory, compressed when they are big enough to
 * gain from it.
 *
 * Deliberately narrow: only buffered payloads (a string or Buffer, so the whole answer
 * is already there). Streams are never touched: NDJSON and server-sent events must reach
 * the client chunk by chunk, and a compressor buffers until it has enough input; file
 * downloads keep their Content-Length and byte ranges. (@fastify/compress would pipe any
 * stream of a "compressible" type, text/event-stream included, through zlib, with no
 * per-response way to opt out.)
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type ContentCoding = 'br' | 'gzip';

/** Preference order when the client accepts both equally: brotli is smaller. */
const CODINGS: ContentCoding[] = ['br', 'gzip'];

/** Below this a compressed answer saves less than its headers and the CPU cost. */
export const COMPRESS_THRESHOLD = 1024;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The coding to answer in, or undefined for identity. Byte ranges are always identity. */
export function negotiateCoding(request: FastifyRequest): ContentCoding | undefined {
  if (request.headers.range !== undefined) return undefined;
  const accept = request.headers['accept-encoding'];
  if (!accept) return undefined;
  return negotiate(accept, CODINGS) ?? undefined;
}

/** Adds a token to Vary without repeating it or overriding a "*". */
export function addVary(reply: FastifyReply, token: string): void {
  const current = reply.getHeader('vary');
  const value = Array.isArray(current) ? current.join(', ') : current?.toString();
  if (!value) {
    reply.header('vary', token);
    return;
  }
  const tokens = value.split(',').map((t) => t.trim().toLowerCase());
  if (tokens.includes('*') || tokens.includes(token.toLowerCase())) return;
  reply.header('vary', `${value}, ${token}`);
}

function compress(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  if (coding === 'gzip') return gzip(body);
  // Quality 4: per-request brotli at the default 11 costs far more CPU than it saves bytes.
  return brotli(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length
    }
  });
}

function isCompressibleJson(reply: FastifyReply, payload: unknown): payload is string | Buffer {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return false;
  if (reply.statusCode === 206 || reply.getHeader('content-range') !== undefined) return false;
  const encoding = reply.getHeader('content-encoding');
  if (encoding !== undefined && encoding !== 'identity') return false;
  const type = reply.getHeader('content-type');
  return typeof type === 'string' && JSON_TYPE.test(type);
}

/** Compresses buffered JSON answers of at least COMPRESS_THRESHOLD bytes. */
export function registerJsonCompression(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isCompressibleJson(reply, payload)) return payload;
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    if (body.length < COMPRESS_THRESHOLD) return payload;
    // Whether the answer is compressed depends on Accept-Encoding from here on.
    addVary(reply, 'Accept-Encoding');
    const coding = negotiateCoding(request);
    if (!coding) return payload;
    const compressed = await compress(body, coding);
    reply.header('content-encoding', coding);
    // Fastify sets the length of the body it is given; a stale one would truncate it.
    reply.removeHeader('content-length');
    return compressed;
  });
}

/**
 * A byte range addresses the file as stored: drop Accept-Encoding from range requests
 * before the static plugin picks a precompressed variant, so the range means the same
 * bytes as it would without compression (a browser resuming a download, a media seek).
 */
export function registerIdentityRanges(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.headers.range !== undefined) delete request.headers['accept-encoding'];
  });
}
