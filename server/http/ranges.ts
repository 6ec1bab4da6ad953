/**
 * Single byte-range responses for the files the server hands out (registry blobs,
 * browser weights), so an interrupted multi-gigabyte download resumes where it stopped.
 */
import { createReadStream } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { quoteInput } from '../errors';
import { errorBody } from './errors';

/** Parses a single "bytes=a-b" / "bytes=a-" / "bytes=-n" range; undefined = serve it all. */
function parseRange(
  header: string | undefined,
  size: number
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined; // multi-range or junk: full body
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** Sends `file` (of `size` bytes) whole, or the part a Range header asks for. */
export function sendFileRange(
  reply: FastifyReply,
  rangeHeader: string | undefined,
  file: string,
  size: number
): FastifyReply {
  const range = parseRange(rangeHeader, size);
  if (range === 'unsatisfiable') {
    // RFC 9110 §15.5.17: a 416 names the current size, so a client can ask again; the
    // body says why in the route family's error shape, like every other failure.
    return reply
      .code(416)
      .header('content-range', `bytes */${size}`)
      .type('application/json; charset=utf-8')
      .send(
        errorBody(
          reply.request.url,
          416,
          `range ${quoteInput(rangeHeader)} not satisfiable: the file is ${size} bytes`
        )
      );
  }
  if (range) {
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1)
      .send(createReadStream(file, { start: range.start, end: range.end }));
  }
  return reply.header('content-length', size).send(createReadStream(file));
}
