/**
 * Every route the app registers, read from Fastify's own route table so a route added
 * later is covered without editing this file: with sign-in on, each /api, /v1 and /v2
 * route answers 401 without credentials (except the few public ones), each admin route
 * answers 403 to a plain user, and errors come in the caller's dialect (the registry's
 * {"errors":[{"code":"UNAUTHORIZED"}]} under /v2/, as Docker distribution answers). Also: a
 * loopback server without HEARTH_AUTH stays open, as before.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { routePolicy } from '../../server/auth/policy';
import { STORIES_SHA256 } from './helpers';

const PUBLIC = new Set([
  'GET /api/version',
  'HEAD /api/version',
  'GET /api/ready',
  'HEAD /api/ready',
  // The widget's status probe: a key's state by its public prefix (server/widget/routes.ts).
  'GET /api/widget/status',
  'HEAD /api/widget/status',
  'GET /api/auth/session',
  'HEAD /api/auth/session',
  'POST /api/auth/setup',
  'POST /api/auth/login',
  'POST /api/auth/logout'
]);
const PARAMS: Record<string, string> = {
  ':digest': `sha256:${STORIES_SHA256}`,
  ':id': '1',
  ':userId': '1',
  ':namespace': 'library',
  ':model': 'stories',
  ':tag': 'latest',
  '*': 'stories'
};

/** Reads (method, path) pairs out of printRoutes' tree; children extend their parent's path. */
function registeredRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)(?:├── |└── )(\S+) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1].length;
    while (stack.length && stack[stack.length - 1].depth >= depth) stack.pop();
    const full = (stack[stack.length - 1]?.path ?? '') + match[2];
    stack.push({ depth, path: full });
    for (const method of match[3].split(', ')) routes.push({ method, url: full });
  }
  return routes.filter(
    (r) => /^\/(api|v1|v2)\//.test(r.url) && r.method !== 'OPTIONS' && !r.url.endsWith('/*')
  );
}

function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+|\*/g, (param) => encodeURIComponent(PARAMS[param] ?? 'x'));
}

interface Server {
  app: FastifyInstance;
  url: string;
  dirs: string[];
}

async function start(env: Record<string, string>): Promise<Server> {
  const models = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-models-'));
  const data = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
  // A built web app, as in production: its file routes catch every unmatched path and
  // must not open a way around the guard, whether or not the real build exists.
  const appDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-app-'));
  await fs.writeFile(path.join(appDir, 'index.html'), '<!doctype html><title>app</title>');
  const config = loadConfig({
    HEARTH_MODELS: models,
    HEARTH_DATA: data,
    HEARTH_APP_DIR: appDir,
    ...env
  });
  const { app } = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, dirs: [models, data, appDir] };
}

async function stop(server: Server | undefined) {
  if (!server) return;
  await server.app.close();
  for (const dir of server.dirs) await fs.rm(dir, { recursive: true, force: true });
}

describe('sign-in on: the access matrix', () => {
  let server: Server;
  let routes: { method: string; url: string }[];
  let userKey: string;

  beforeAll(async () => {
    server = await start({ HEARTH_AUTH: 'on' });
    routes = registeredRoutes(server.app);
    const password = 'a long enough password';
    const setup = await fetch(`${server.url}/api/auth/setup`, {
      method: 'POST',
      body: JSON.stringify({ username: 'root', password })
    });
    const { csrfToken } = (await setup.json()) as { csrfToken: string };
    const headers = {
      cookie: setup.headers.get('set-cookie')!.split(';')[0],
      'x-csrf-token': csrfToken
    };
    const user = await fetch(`${server.url}/api/admin/users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ username: 'plain', password })
    });
    const { user: created } = (await user.json()) as { user: { id: number } };
    const key = await fetch(`${server.url}/api/admin/users/${created.id}/keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'matrix' })
    });
    userKey = ((await key.json()) as { key: string }).key;
  });
  afterAll(() => stop(server));

  it('finds the whole API in the route table', () => {
    const seen = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const expected of [
      'POST /api/chat',
      'POST /api/generate',
      'GET /api/tags',
      'POST /api/blobs/:digest',
      'GET /v2/:namespace/:model/blobs/:digest',
      'POST /v1/chat/completions',
      'GET /api/admin/users',
      'PUT /api/admin/permissions'
    ])
      expect(seen).toContain(expected);
    expect(routes.length).toBeGreaterThan(40);
  });

  it('answers 401 without credentials on every non-public route, in the right error shape', async () => {
    const failures: string[] = [];
    for (const { method, url } of routes) {
      if (PUBLIC.has(`${method} ${url}`)) continue;
      const res = await fetch(server.url + concrete(url), {
        method,
        body: method === 'GET' || method === 'HEAD' ? undefined : '{}'
      });
      if (res.status !== 401) failures.push(`${method} ${url} → ${res.status}`);
      if (method === 'HEAD') continue;
      const body = (await res.json()) as { error?: unknown; errors?: { code: string }[] };
      const ok = url.startsWith('/v1/')
        ? (body.error as { type?: string }).type === 'authentication_error'
        : url.startsWith('/v2/')
          ? body.errors?.[0]?.code === 'UNAUTHORIZED' && body.error === undefined
          : typeof body.error === 'string';
      if (!ok) failures.push(`${method} ${url} → ${JSON.stringify(body)}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 401 to unknown, re-cased and percent-encoded paths too', async () => {
    for (const url of [
      '/api/nope',
      '/v1/nope',
      '/v2/x/y/z',
      '/API/admin/users',
      '/api/%61dmin/users'
    ]) {
      const res = await fetch(server.url + url);
      expect(res.status, url).toBe(401);
      if (url.startsWith('/v2/'))
        expect((await res.json()).errors[0].code, url).toBe('UNAUTHORIZED');
    }
    expect(routePolicy('GET', '/API//Admin/users/').access).toBe('admin');
  });

  it('answers 401 to a malformed Authorization header or a made-up key', async () => {
    for (const authorization of [
      'Basic cm9vdDpwdw==',
      'Bearer',
      'Bearer hk_00000000_' + 'a'.repeat(43)
    ]) {
      const res = await fetch(`${server.url}/api/tags`, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('keeps public routes public', async () => {
    expect((await fetch(`${server.url}/api/version`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/`)).text()).toBe('Ollama is running');
    expect((await fetch(`${server.url}/api/auth/session`)).status).toBe(200);
  });

  it('answers 403 to a plain user on every admin route', async () => {
    const failures: string[] = [];
    for (const { method, url } of routes) {
      if (routePolicy(method, url).access !== 'admin') continue;
      const res = await fetch(server.url + concrete(url), {
        method,
        headers: { authorization: `Bearer ${userKey}` },
        body: method === 'GET' || method === 'HEAD' ? undefined : '{}'
      });
      if (res.status !== 403) failures.push(`${method} ${url} → ${res.status}`);
    }
    expect(failures).toEqual([]);
    const admins = routes.filter((r) => routePolicy(r.method, r.url).access === 'admin');
    expect(admins.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'POST /api/create',
        'POST /api/copy',
        'DELETE /api/delete',
        'POST /api/pull',
        'POST /api/blobs/:digest',
        'GET /api/admin/audit'
      ])
    );
  });

  it('lets a plain user with no grants see an empty model list rather than an error', async () => {
    const res = await fetch(`${server.url}/api/tags`, {
      headers: { authorization: `Bearer ${userKey}` }
    });
    expect(await res.json()).toEqual({ models: [] });
  });
});

describe('loopback without HEARTH_AUTH: open as before', () => {
  let server: Server;
  beforeAll(async () => {
    server = await start({});
  });
  afterAll(() => stop(server));

  it('serves the API without credentials and never creates the database', async () => {
    expect((await fetch(`${server.url}/api/tags`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(200);
    const del = await fetch(`${server.url}/api/delete`, {
      method: 'DELETE',
      body: JSON.stringify({ model: 'absent' })
    });
    expect(del.status).toBe(404);
    await expect(fs.access(path.join(server.dirs[1], 'hearth.db'))).rejects.toThrow();
  });

  it('says sign-in is off', async () => {
    const res = await fetch(`${server.url}/api/auth/session`);
    expect(await res.json()).toEqual({
      authEnabled: false,
      setupRequired: true,
      setupTokenRequired: false,
      user: null,
      csrfToken: null
    });
  });
});
