/**
 * The one API client against a real HTTP server: every kind of refusal body gives the
 * server's message (or the status line), streams and empty answers read right, and
 * "no answer at all" and "stopped" stay apart from refusals.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  ApiError,
  UnreachableError,
  errorDetailOf,
  errorMessageOf
} from '#protocol/client';
import { StreamError } from '#protocol/stream';

let server: http.Server;
let baseUrl: string;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const route = `${req.method} ${req.url}`;
    if (route === 'GET /ollama-error') return res.writeHead(404).end('{"error":"model not found"}');
    if (route === 'GET /openai-error')
      return res.writeHead(400).end('{"error":{"message":"bad request: n","type":"x"}}');
    if (route === 'GET /html') return res.writeHead(502, 'Bad Gateway').end('<html>nginx</html>');
    if (route === 'GET /text') return res.writeHead(500).end('database is locked\n');
    if (route === 'DELETE /empty') return res.writeHead(204).end();
    if (route === 'HEAD /missing') return res.writeHead(404).end();
    if (route === 'POST /echo') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(200).end(body));
      return;
    }
    if (route === 'POST /stream') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"n":1}\n{"n":2}\n');
      return res.end('{"error":"model crashed"}\n');
    }
    if (route === 'GET /slow') return setTimeout(() => res.end('{}'), 5_000);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => server.close());

describe('errorMessageOf', () => {
  it('reads Ollama, OpenAI and plain-text bodies, and falls back to the status line', () => {
    expect(errorMessageOf(404, 'Not Found', '{"error":"nope"}')).toBe('nope');
    expect(errorMessageOf(400, '', '{"error":{"message":"bad"}}')).toBe('bad');
    expect(errorMessageOf(500, 'Error', 'plain words')).toBe('plain words');
    expect(errorMessageOf(502, 'Bad Gateway', '<html>…</html>')).toBe('502 Bad Gateway');
    expect(errorMessageOf(503, 'Service Unavailable', '')).toBe('503 Service Unavailable');
    expect(errorMessageOf(500, '', 'x'.repeat(1_000))).toHaveLength(200);
  });
});

describe('errorDetailOf', () => {
  it("reads Hearth's code and values from an Ollama or OpenAI body", () => {
    expect(
      errorDetailOf(
        '{"error":"user \'x\' already exists","code":"username_taken","params":{"username":"x"}}'
      )
    ).toEqual({ code: 'username_taken', params: { username: 'x' } });
    expect(errorDetailOf('{"error":{"message":"denied","code":"model_denied"}}')).toEqual({
      code: 'model_denied'
    });
  });

  it('ignores codes it does not know, bodies without one, and non-JSON', () => {
    expect(errorDetailOf('{"error":"nope","code":"made_up"}')).toBeUndefined();
    expect(errorDetailOf('{"error":{"message":"x","code":null}}')).toBeUndefined();
    expect(errorDetailOf('{"error":"plain Ollama"}')).toBeUndefined();
    expect(errorDetailOf('<html>bad gateway</html>')).toBeUndefined();
  });
});

describe('ApiClient', () => {
  const api = () =>
    new ApiClient({
      baseUrl,
      token: 'hk_secret',
      headers: (method): Record<string, string> =>
        method === 'GET' ? {} : { 'X-CSRF-Token': 'csrf' }
    });

  it('turns each refusal into an ApiError with the status and the server message', async () => {
    for (const [path, status, message] of [
      ['/ollama-error', 404, 'model not found'],
      ['/openai-error', 400, 'bad request: n'],
      ['/html', 502, '502 Bad Gateway'],
      ['/text', 500, 'database is locked']
    ] as const) {
      const error = await api()
        .send(path)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status, message });
    }
  });

  it('sends the key, JSON and per-method headers; reads empty answers and HEAD statuses', async () => {
    expect(await api().json('/echo', { json: { a: 1 } })).toEqual({ a: 1 });
    const sent = seen.at(-1)!;
    expect(sent.authorization).toBe('Bearer hk_secret');
    expect(sent['content-type']).toBe('application/json');
    expect(sent['x-csrf-token']).toBe('csrf');
    expect(await api().json('/empty', { method: 'DELETE' })).toBeUndefined();
    expect((await api().send('/missing', { method: 'HEAD' })).status).toBe(404);
  });

  it('streams NDJSON and throws an error line as a StreamError', async () => {
    const got: unknown[] = [];
    const reading = (async () => {
      for await (const item of api().ndjson('/stream', { json: {} })) got.push(item);
    })();
    await expect(reading).rejects.toThrow(StreamError);
    expect(got).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('tells a server that is not there from a stop', async () => {
    const nowhere = new ApiClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(nowhere.send('/api/tags')).rejects.toBeInstanceOf(UnreachableError);
    const stop = new AbortController();
    const slow = api().send('/slow', { signal: stop.signal });
    stop.abort();
    const error = await slow.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnreachableError);
    expect((error as Error).name).toBe('AbortError');
  });
});
