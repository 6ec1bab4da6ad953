/**
 * Error bodies stay small and in their family's shape: messages are capped in encoded
 * bytes (JSON escaping makes one control character six bytes), every /v2/ failure uses
 * the registry's {"errors":[…]}, a 416 says why, and requests carry bounded lists.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndjsonLine } from '#protocol/stream';
import { HttpError, MAX_ERROR_MESSAGE, capMessage } from '../../server/errors';
import { configureHttp } from '../../server/http/configure';
import { ollamaError, openAIError, registryErrorBody } from '../../server/http/errors';
import { MAX_IMAGES, MAX_MESSAGES } from '../../server/api/validate';
import { STORIES_SHA256, createModelFrom } from './fixtures';
import { startServer, type TestServer } from './helpers';

const encoded = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/** What a body may add around the message: field names, type and code. */
const OVERHEAD = 120;
const HOSTILE = ['\u0000', 'é', '😀', '"', 'x'].map((c) => c.repeat(10_000));

describe('capMessage', () => {
  it.each(HOSTILE.map((text) => [JSON.stringify(text.slice(0, 2)), text]))(
    'caps %s × 10,000 in encoded bytes',
    (_label, text) => {
      const cut = capMessage(text);
      expect(encoded(cut)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
      expect(cut).toMatch(/…\[\d+ more chars\]$/);
      // Nearly all of the room is used, and no surrogate pair is split.
      expect(encoded(cut)).toBeGreaterThan(MAX_ERROR_MESSAGE - 40);
      expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
      expect(cut).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  );

  it('leaves a message that fits alone', () => {
    expect(capMessage('model "x" not found')).toBe('model "x" not found');
    const fits = 'é'.repeat(500);
    expect(capMessage(fits)).toBe(fits);
  });

  it('caps the bodies and the stream lines of every family', () => {
    for (const text of HOSTILE) {
      expect(encoded(ollamaError(text))).toBeLessThan(MAX_ERROR_MESSAGE + OVERHEAD);
      expect(encoded(openAIError(500, text))).toBeLessThan(MAX_ERROR_MESSAGE + OVERHEAD);
      expect(encoded(registryErrorBody('UNKNOWN', text))).toBeLessThan(
        MAX_ERROR_MESSAGE + OVERHEAD
      );
      // The NDJSON failure line of /api/generate, /api/chat, /api/pull and /api/create.
      expect(Buffer.byteLength(ndjsonLine(ollamaError(text)))).toBeLessThan(
        MAX_ERROR_MESSAGE + OVERHEAD
      );
    }
  });

  it('holds in the renderer for thrown errors', async () => {
    const app = Fastify();
    await configureHttp(app, { host: '127.0.0.1', origins: [], appDir: '/nonexistent' });
    for (const prefix of ['/api', '/v1', '/v2'])
      app.get(`${prefix}/nul`, async () => {
        throw new HttpError(404, `model ${'\u0000'.repeat(10_000)} not found`);
      });
    for (const prefix of ['/api', '/v1', '/v2']) {
      const res = await app.inject({ url: `${prefix}/nul` });
      expect(res.statusCode).toBe(404);
      expect(res.rawPayload.length, prefix).toBeLessThan(MAX_ERROR_MESSAGE + OVERHEAD);
    }
    await app.close();
  });
});

describe('a real server with the web app built', () => {
  let server: TestServer;
  let appDir: string;
  const blob = `/v2/library/stories/blobs/sha256:${STORIES_SHA256}`;

  beforeAll(async () => {
    // A built app registers the wildcard file route that once caught unknown /v2 paths.
    appDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-app-'));
    await fs.writeFile(path.join(appDir, 'index.html'), '<!doctype html><title>app</title>');
    server = await startServer({ HEARTH_APP_DIR: appDir, HEARTH_AUTH: 'off' });
    await createModelFrom(server.url, 'stories');
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(appDir, { recursive: true, force: true });
  });

  const get = async (route: string, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url + route, { headers });
    return { res, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers unknown /v2/ paths with a registry 404, over-long segments included', async () => {
    for (const route of [
      '/v2/stories',
      '/v2/library/ns',
      `/v2/${'x'.repeat(5000)}`,
      `/v2/library/stories/manifests/${'x'.repeat(5000)}`,
      `/v2/library/stories/blobs/${'x'.repeat(5000)}`
    ]) {
      const { res, body } = await get(route);
      expect(res.status, route.slice(0, 40)).toBe(404);
      expect(body, route.slice(0, 40)).toEqual({
        errors: [{ code: expect.stringMatching(/_UNKNOWN$/), message: expect.any(String) }]
      });
    }
    const post = await fetch(`${server.url}/v2/library/stories/blobs/x`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({
      errors: [{ code: 'BLOB_UNKNOWN', message: '404 page not found' }]
    });
  });

  it('answers over-long names elsewhere with a 404 in the family shape, never the file server 403', async () => {
    const long = 'x'.repeat(5000);
    const api = await get(`/api/${long}`);
    expect(api.res.status).toBe(404);
    expect(api.body).toEqual({ error: '404 page not found' });
    const openai = await get(`/v1/${long}`);
    expect(openai.res.status).toBe(404);
    expect(openai.body).toMatchObject({ error: { message: '404 page not found' } });
    const page = await fetch(`${server.url}/${long}`);
    expect(page.status).toBe(404);
    // The app's own files are still served.
    expect((await fetch(`${server.url}/index.html`)).status).toBe(200);
  });

  it('answers a range past the end with 416, its size and a registry error', async () => {
    const { res, body } = await get(blob, { range: 'bytes=99999999-' });
    expect(res.status).toBe(416);
    const size = (await fs.stat(path.join(server.modelsDir, 'blobs', `sha256-${STORIES_SHA256}`)))
      .size;
    expect(res.headers.get('content-range')).toBe(`bytes */${size}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({
      errors: [{ code: 'RANGE_INVALID', message: expect.stringMatching(/not satisfiable/) }]
    });
  });

  it('decodes /v1/models/* once: an escaped escape is not a name', async () => {
    expect((await fetch(`${server.url}/v1/models/stories%3Alatest`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/models/stories%253Alatest`)).status).toBe(400);
  });

  it('keeps a hostile model name out of a large error body', async () => {
    for (const route of ['/api/show', '/api/chat', '/v1/chat/completions']) {
      const res = await fetch(server.url + route, {
        method: 'POST',
        body: JSON.stringify({
          model: '\u0000'.repeat(10_000),
          messages: [{ role: 'user', content: 'hi' }]
        })
      });
      expect(res.status, route).toBeGreaterThanOrEqual(400);
      expect((await res.arrayBuffer()).byteLength, route).toBeLessThan(
        MAX_ERROR_MESSAGE + OVERHEAD
      );
    }
  });

  it('bounds messages and images per request with a clear 400', async () => {
    const user = { role: 'user', content: 'hi' };
    const images = Array.from({ length: MAX_IMAGES + 1 }, () => 'aGk=');
    const tooMany = Array.from({ length: MAX_MESSAGES + 1 }, () => user);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['/api/chat', { messages: tooMany }, /at most 10000 messages/],
      ['/api/chat', { messages: [{ ...user, images }] }, /at most 64 images per message/],
      ['/api/generate', { prompt: 'hi', images }, /at most 64 images/],
      ['/v1/chat/completions', { messages: tooMany }, /at most 10000 messages/]
    ];
    for (const [route, fields, message] of cases) {
      const res = await fetch(server.url + route, {
        method: 'POST',
        body: JSON.stringify({ model: 'stories', stream: false, ...fields })
      });
      expect(res.status, route).toBe(400);
      const body = (await res.json()) as { error: string | { message: string } };
      const text = typeof body.error === 'string' ? body.error : body.error.message;
      expect(text, route).toMatch(message);
    }
  });
});
