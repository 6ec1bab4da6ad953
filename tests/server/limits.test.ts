/**
 * Input size bounds: what an error may echo, how deep JSON may nest, how large a body
 * each route takes and how large the headers may be.
 */
import http from 'node:http';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, MAX_ERROR_MESSAGE, quoteInput, truncateText } from '../../server/errors';
import { MAX_JSON_DEPTH, nestingExceeds, parseJsonBody } from '../../server/http/body';
import { configureHttp } from '../../server/http/configure';
import { startServer, type TestServer } from './helpers';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('truncateText and quoteInput', () => {
  it('keeps short text and cuts long text to the limit with a marker', () => {
    expect(truncateText('short', 10)).toBe('short');
    const cut = truncateText('x'.repeat(10_000), 100);
    expect(cut).toHaveLength(100);
    expect(cut).toMatch(/^x+…\[9\d{3} more chars\]$/);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateText('😀'.repeat(1000), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('quotes input short and on one line', () => {
    expect(quoteInput('llama3')).toBe('"llama3"');
    expect(quoteInput('a\nb')).toBe('"a\\nb"');
    expect(quoteInput('m'.repeat(10_000_000)).length).toBeLessThan(110);
  });
});

describe('JSON nesting', () => {
  it('counts depth without being fooled by brackets inside strings', () => {
    expect(nestingExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestingExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    const inString = JSON.stringify({ text: '['.repeat(1000) + '\\"[[[' });
    expect(nestingExceeds(inString, 5)).toBe(false);
  });

  it('refuses deep nesting with a 400, however deep, instead of overflowing the stack', () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 1_000_000]) {
      expect(() => parseJsonBody(nested(depth, '{"a":', '}'))).toThrow(
        /JSON nesting too deep \(more than 100 levels\)/
      );
    }
    expect(parseJsonBody(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
  });
});

describe('the error renderer', () => {
  it('cuts any message to MAX_ERROR_MESSAGE in both dialects', async () => {
    const app = Fastify();
    await configureHttp(app, { host: '127.0.0.1', origins: [], appDir: '/nonexistent' });
    const huge = `model "${'m'.repeat(5_000_000)}" not found`;
    app.get('/api/huge', async () => {
      throw new HttpError(404, huge);
    });
    app.get('/v1/huge', async () => {
      throw new HttpError(404, huge);
    });
    const ollama = await app.inject({ url: '/api/huge' });
    const message = (ollama.json() as { error: string }).error;
    // The cap holds in encoded bytes (capMessage); the marker's "…" takes three.
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
    expect(message.length).toBeGreaterThan(MAX_ERROR_MESSAGE - 40);
    expect(message).toMatch(/^model "m+…\[\d+ more chars\]$/);
    const openai = await app.inject({ url: '/v1/huge' });
    expect((openai.json() as { error: { message: string } }).error.message).toBe(message);
    await app.close();
  });
});

describe('a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  const post = (route: string, body: string) =>
    fetch(`${server.url}${route}`, { method: 'POST', body });

  it('answers deeply nested JSON with a clear 400 in each dialect', async () => {
    const body = `{"model":"x","messages":${nested(200_000)}}`;
    const ollama = await post('/api/chat', body);
    expect(ollama.status).toBe(400);
    expect(await ollama.json()).toEqual({
      error: 'JSON nesting too deep (more than 100 levels)'
    });
    const openai = await post('/v1/chat/completions', body);
    expect(openai.status).toBe(400);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toBe(
      'JSON nesting too deep (more than 100 levels)'
    );
  });

  it('takes 1 MiB on ordinary JSON routes and more where prompts and images go', async () => {
    const big = JSON.stringify({ model: 'none', prompt: 'p'.repeat(2 * 1024 * 1024) });
    const show = await post('/api/show', big);
    expect(show.status).toBe(413);
    expect(((await show.json()) as { error: string }).error).toMatch(/request body is too large/);
    expect((await post('/api/auth/login', big)).status).toBe(413);
    // Past the size check: the unknown model is what fails.
    expect((await post('/api/generate', big)).status).toBe(404);
  });

  it('refuses oversized headers with 431', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.get(`${server.url}/api/version`, {
        headers: { 'x-filler': 'f'.repeat(32 * 1024) }
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
    });
    expect(status).toBe(431);
  });
});
