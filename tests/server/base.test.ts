/**
 * The HTTP shell on its own (no model store, no runtime): liveness, version, error
 * shapes, CORS and the static app. The busy-port case spawns the real entry point.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBaseRoutes } from '../../server/api/base';
import { loadConfig, type ServerConfig } from '../../server/config';
import { HttpError } from '../../server/errors';
import { configureHttp } from '../../server/http/configure';

const ROOT = path.resolve(import.meta.dirname, '../..');
const INDEX_HTML = '<!doctype html><title>Hearth test shell</title>';

async function makeAppDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-app-'));
  await fs.mkdir(path.join(dir, '_app/immutable/chunks'), { recursive: true });
  await fs.writeFile(path.join(dir, 'index.html'), INDEX_HTML);
  await fs.writeFile(
    path.join(dir, 'service-worker.js'),
    'self.addEventListener("fetch", () => {});'
  );
  await fs.writeFile(path.join(dir, '_app/immutable/chunks/app.abc123.js'), 'export const x = 1;');
  return dir;
}

async function buildShell(config: ServerConfig): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await configureHttp(app, config);
  registerBaseRoutes(app, { config });
  // Routes standing in for the other API families, to exercise the error handler.
  app.post('/api/echo', async (req) => ({ received: req.body }));
  app.get('/api/missing-model', async () => {
    throw new HttpError(404, "model 'nope' not found");
  });
  app.get('/api/crash', async () => {
    throw new Error('boom');
  });
  app.get('/api/status-code', async () => {
    throw Object.assign(new Error('busy, try later'), { statusCode: 503 });
  });
  app.post('/v1/chat/completions', async (req) => ({ received: req.body }));
  await app.ready();
  return app;
}

describe('HTTP shell with a built app', () => {
  let app: FastifyInstance;
  let appDir: string;

  beforeAll(async () => {
    appDir = await makeAppDir();
    app = await buildShell(
      loadConfig({
        HEARTH_APP_DIR: appDir,
        OLLAMA_ORIGINS: 'https://*.example.com,chrome-extension://abc'
      })
    );
  });
  afterAll(async () => {
    await app.close();
    await fs.rm(appDir, { recursive: true, force: true });
  });

  it('GET / answers API clients with "Ollama is running"', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('Ollama is running');
  });

  it('GET / gives a browser the web app', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/',
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX_HTML);
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('HEAD / answers 200 without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
  });

  it('GET and HEAD /api/version report the configured version', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/version' });
    expect(res.json()).toEqual({ version: '0.1.0' });
    expect((await app.inject({ method: 'HEAD', url: '/api/version' })).statusCode).toBe(200);
  });

  it('malformed JSON is a 400 in Ollama shape naming the problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"model": "x",'
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^invalid JSON: /);
  });

  it('an empty JSON body is a 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: ''
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'missing request body' });
  });

  it('reads JSON whatever the content type (curl -d sends form encoding)', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json; charset=utf-8'
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/echo',
        headers: { 'content-type': type },
        payload: '{"model":"m"}'
      });
      expect(res.json(), type).toEqual({ received: { model: 'm' } });
    }
  });

  it('drops __proto__ keys from bodies', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__":{"polluted":true},"a":1}'
    });
    expect(res.json()).toEqual({ received: { a: 1 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renders thrown errors with their status', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/missing-model' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: "model 'nope' not found" });
    const busy = await app.inject({ method: 'GET', url: '/api/status-code' });
    expect(busy.statusCode).toBe(503);
    expect(busy.json()).toEqual({ error: 'busy, try later' });
  });

  it('500s carry a message but no stack trace', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/crash' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal server error: boom' });
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('unknown API paths are 404 "404 page not found"', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/nothing-here', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: '404 page not found' });
    const browser = await app.inject({
      method: 'GET',
      url: '/api/nothing',
      headers: { accept: 'text/html' }
    });
    expect(browser.statusCode).toBe(404);
  });

  it('/v1 errors use the OpenAI shape', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      payload: '{'
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: null, code: null }
    });
    expect(bad.json().error.message).toMatch(/^invalid JSON/);
    const missing = await app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(missing.json()).toEqual({
      error: { message: '404 page not found', type: 'not_found_error', param: null, code: null }
    });
  });

  it('serves app files isolated, immutable assets cached long, the service worker revalidated', async () => {
    const asset = await app.inject({ method: 'GET', url: '/_app/immutable/chunks/app.abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(asset.headers['cross-origin-opener-policy']).toBe('same-origin');
    const worker = await app.inject({ method: 'GET', url: '/service-worker.js' });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers['cache-control']).toBe('no-cache');
    expect(worker.headers['content-type']).toMatch(/javascript/);
  });

  it('falls back to index.html for app routes a browser navigates to', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/settings',
      headers: { accept: 'text/html' }
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX_HTML);
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const script = await app.inject({
      method: 'GET',
      url: '/missing.js',
      headers: { accept: '*/*' }
    });
    expect(script.statusCode).toBe(404);
  });

  describe('CORS', () => {
    it.each([
      'http://localhost',
      'http://localhost:5173',
      'https://127.0.0.1:8443',
      'http://0.0.0.0:3000',
      'app://hearth',
      'file://',
      'tauri://localhost',
      'vscode-webview://abc123',
      'https://chat.example.com',
      'chrome-extension://abc'
    ])('allows %s', async (origin) => {
      const res = await app.inject({ method: 'GET', url: '/api/version', headers: { origin } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
    });

    it('answers preflight for allowed origins', async () => {
      const res = await app.inject({
        method: 'OPTIONS',
        url: '/api/chat',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type'
        }
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
    });

    it.each([
      'https://evil.example.org',
      'http://localhost.evil.com',
      'https://example.com',
      'chrome-extension://other'
    ])('refuses %s with 403 before the handler runs', async (origin) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/echo',
        headers: { origin, 'content-type': 'text/plain' },
        payload: '{}'
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toContain('not allowed');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/api/echo',
        headers: { origin, 'access-control-request-method': 'POST' }
      });
      expect(preflight.statusCode).toBe(403);
    });

    it('allows the app served by this same server under a LAN name', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/version',
        headers: { origin: 'http://hearth.local:11434', host: 'hearth.local:11434' }
      });
      expect(res.statusCode).toBe(200);
    });

    it('refuses foreign Host headers on a loopback server (DNS rebinding)', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/version',
        headers: { host: 'attacker.example.com:11434' }
      });
      expect(res.statusCode).toBe(403);
    });
  });
});

describe('HTTP shell without a build', () => {
  it('explains how to build at / for browsers while the API keeps working', async () => {
    const app = await buildShell(
      loadConfig({ HEARTH_APP_DIR: path.join(os.tmpdir(), 'hearth-no-such-build') })
    );
    const page = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(page.body).toContain('npm run build');
    const probe = await app.inject({ method: 'GET', url: '/' });
    expect(probe.body).toBe('Ollama is running');
    expect((await app.inject({ method: 'GET', url: '/api/version' })).json()).toEqual({
      version: '0.1.0'
    });
    await app.close();
  });
});

describe('server entry point', () => {
  it('a busy port is a one-line error and exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-models-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          HEARTH_HOST: `127.0.0.1:${port}`,
          HEARTH_MODELS: modelsDir,
          HEARTH_THREADS: '1'
        },
        stdio: ['ignore', 'pipe', 'pipe']
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`Error: listen tcp 127.0.0.1:${port}: bind: address already in use`);
      expect(stderr).toContain('HEARTH_HOST');
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
      await fs.rm(modelsDir, { recursive: true, force: true });
    }
  });
});
