/**
 * Compression on the real HTTP shell: the app's precompressed files, JSON answers over
 * the size threshold, and what must never be compressed — streams (read here chunk by
 * chunk, on real stories260K inference) and byte ranges. A raw node:http client is used
 * because fetch would decode the body and hide what went over the wire.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerInferenceRoutes } from '../../server/api/inference';
import { registerOpenAIRoutes } from '../../server/api/openai';
import { loadConfig } from '../../server/config';
import { COMPRESS_THRESHOLD } from '../../server/http/compression';
import { configureHttp } from '../../server/http/configure';
import { sendFileRange } from '../../server/http/ranges';
import { ModelScheduler } from '../../server/runtime/model-scheduler';
import { listenOnLoopback, storiesStore } from './fixtures';
import { rawRequest, type RawResponse } from './raw-http';

/** A request whose body is JSON, answered with the raw bytes and reads. */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}
): Promise<RawResponse> {
  const json = options.body === undefined ? undefined : JSON.stringify(options.body);
  return rawRequest(url, {
    method: options.method,
    headers:
      json === undefined
        ? options.headers
        : { ...options.headers, 'content-type': 'application/json' },
    body: json
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  return body;
}

const BR = { 'accept-encoding': 'gzip, deflate, br' };
const GZIP = { 'accept-encoding': 'gzip' };

/** A built-app stand-in: a text asset and a "wasm" file, each with its .br and .gz. */
async function makeAppDir(): Promise<{ dir: string; js: Buffer; wasm: Buffer }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-app-'));
  const immutable = path.join(dir, '_app/immutable/assets');
  await fs.mkdir(immutable, { recursive: true });
  const js = Buffer.from('export const greeting = "hello";\n'.repeat(400));
  const wasm = Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    Buffer.alloc(20_000)
  ]);
  const files: Array<[string, Buffer]> = [
    ['index.html', Buffer.from('<!doctype html><title>Hearth</title>'.repeat(50))],
    ['_app/immutable/assets/app.abc123.js', js],
    ['_app/immutable/assets/engine.abc123.wasm', wasm]
  ];
  for (const [name, content] of files) {
    await fs.writeFile(path.join(dir, name), content);
    await fs.writeFile(path.join(dir, `${name}.br`), zlib.brotliCompressSync(content));
    await fs.writeFile(path.join(dir, `${name}.gz`), zlib.gzipSync(content));
  }
  return { dir, js, wasm };
}

describe('compression', () => {
  let app: FastifyInstance;
  let url: string;
  let scheduler: ModelScheduler;
  let built: Awaited<ReturnType<typeof makeAppDir>>;
  let weights: string;
  const big = { models: Array.from({ length: 80 }, (_, i) => ({ name: `model-${i}`, size: i })) };
  const openStreams = new Set<PassThrough>();

  beforeAll(async () => {
    built = await makeAppDir();
    weights = path.join(built.dir, 'weights.json');
    await fs.writeFile(weights, JSON.stringify(big));
    const config = loadConfig({
      HEARTH_APP_DIR: built.dir,
      HEARTH_MODELS: '.',
      HEARTH_THREADS: '1'
    });
    app = Fastify({ logger: false });
    await configureHttp(app, config);
    const store = storiesStore();
    scheduler = new ModelScheduler(config, store, app.log);
    registerInferenceRoutes(app, { config, store, scheduler, log: app.log });
    registerOpenAIRoutes(app, { config, store, scheduler, log: app.log });
    app.get('/api/big', async () => big);
    app.get('/api/small', async () => ({ ok: true }));
    // A file download as the portal serves weights: JSON type, Content-Length, ranges.
    app.get('/api/file', async (req, reply) => {
      const { size } = await fs.stat(weights);
      reply.type('application/json; charset=utf-8').header('accept-ranges', 'bytes');
      return sendFileRange(reply, req.headers.range, weights, size);
    });
    // An event stream that stays open: a buffering compressor would hold its first event.
    app.get('/api/events', async (_req, reply) => {
      const stream = new PassThrough();
      openStreams.add(stream);
      stream.write(`data: ${JSON.stringify(big)}\n\n`);
      return reply.type('application/json').send(stream);
    });
    url = (await listenOnLoopback(app)).url;
  });

  afterAll(async () => {
    for (const stream of openStreams) stream.destroy();
    await app?.close();
    await scheduler?.close();
    await fs.rm(built.dir, { recursive: true, force: true });
  });

  it('serves a precompressed asset as brotli or gzip; decoded bytes equal the original', async () => {
    for (const [headers, coding] of [
      [BR, 'br'],
      [GZIP, 'gzip']
    ] as const) {
      const res = await request(`${url}/_app/immutable/assets/app.abc123.js`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe(coding);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(res.body.length).toBeLessThan(built.js.length);
      expect(decode(res.body, coding).equals(built.js)).toBe(true);
    }
    const plain = await request(`${url}/_app/immutable/assets/app.abc123.js`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.body.equals(built.js)).toBe(true);
  });

  it('serves the wasm precompressed with its own type', async () => {
    const res = await request(`${url}/_app/immutable/assets/engine.abc123.wasm`, { headers: BR });
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('application/wasm');
    expect(decode(res.body, 'br').equals(built.wasm)).toBe(true);
  });

  it('serves the SPA shell precompressed, with Vary', async () => {
    const res = await request(`${url}/models`, { headers: { ...BR, accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(decode(res.body, 'br').toString()).toContain('<title>Hearth</title>');
  });

  it('answers a byte range of an app file from the identity bytes', async () => {
    const res = await request(`${url}/_app/immutable/assets/engine.abc123.wasm`, {
      headers: { ...BR, range: 'bytes=0-7' }
    });
    expect(res.status).toBe(206);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.equals(built.wasm.subarray(0, 8))).toBe(true);
  });

  it('compresses JSON answers above the threshold when Accept-Encoding allows', async () => {
    const raw = Buffer.from(JSON.stringify(big));
    expect(raw.length).toBeGreaterThan(COMPRESS_THRESHOLD);
    for (const [headers, coding] of [
      [BR, 'br'],
      [GZIP, 'gzip']
    ] as const) {
      const res = await request(`${url}/api/big`, { headers });
      expect(res.headers['content-encoding']).toBe(coding);
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(JSON.parse(decode(res.body, coding).toString())).toEqual(big);
    }
    const identity = await request(`${url}/api/big`, {
      headers: { 'accept-encoding': 'identity' }
    });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(identity.body.toString())).toEqual(big);
  });

  it('leaves JSON answers below the threshold alone', async () => {
    const res = await request(`${url}/api/small`, { headers: BR });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
  });

  it('never compresses a file download: whole or a range, it keeps its length', async () => {
    const whole = await request(`${url}/api/file`, { headers: BR });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-encoding']).toBeUndefined();
    expect(Number(whole.headers['content-length'])).toBe(whole.body.length);

    const part = await request(`${url}/api/file`, { headers: { ...BR, range: 'bytes=10-99' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-encoding']).toBeUndefined();
    expect(part.body.equals(whole.body.subarray(10, 100))).toBe(true);
  });

  it('delivers a stream that is still open: its first event is not held back', async () => {
    const first = await new Promise<{ headers: http.IncomingHttpHeaders; chunk: Buffer }>(
      (resolve, reject) => {
        const req = http.get(`${url}/api/events`, { headers: BR }, (res) => {
          res.once('data', (chunk: Buffer) => {
            resolve({ headers: res.headers, chunk });
            req.destroy();
          });
        });
        req.on('error', reject);
      }
    );
    expect(first.headers['content-encoding']).toBeUndefined();
    expect(first.chunk.toString()).toMatch(/^data: \{"models"/);
  });

  it('streams /api/chat NDJSON uncompressed, one answer chunk per read', async () => {
    const res = await request(`${url}/api/chat`, {
      method: 'POST',
      headers: BR,
      body: {
        model: 'stories',
        messages: [{ role: 'user', content: 'Once upon a time' }],
        options: { temperature: 0, num_predict: 16 }
      }
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-encoding']).toBeUndefined();
    // Each read is whole NDJSON lines, as written: nothing was gathered into one block.
    expect(res.chunks.length).toBeGreaterThan(8);
    for (const chunk of res.chunks) {
      const text = chunk.toString();
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    }
    const last = JSON.parse(res.chunks.at(-1)!.toString().trim().split('\n').at(-1)!);
    expect(last.done).toBe(true);
  });

  it('streams /api/generate and /v1/chat/completions uncompressed', async () => {
    const generate = await request(`${url}/api/generate`, {
      method: 'POST',
      headers: BR,
      body: { model: 'stories', prompt: 'Once upon a time', options: { num_predict: 16 } }
    });
    expect(generate.headers['content-encoding']).toBeUndefined();
    expect(generate.chunks.length).toBeGreaterThan(8);

    const sse = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: GZIP,
      body: {
        model: 'stories',
        messages: [{ role: 'user', content: 'Once upon a time' }],
        max_tokens: 16,
        stream: true
      }
    });
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.headers['content-encoding']).toBeUndefined();
    expect(sse.chunks.length).toBeGreaterThan(8);
    expect(sse.body.toString().trim().endsWith('data: [DONE]')).toBe(true);
  });
});
