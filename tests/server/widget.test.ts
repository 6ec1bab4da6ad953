/**
 * Widget keys on a real server with sign-in on and the real stories260K model: an admin
 * creates a key for some origins and one model; requests carrying it may chat from those
 * origins only, with that model only, within the per-visitor rate, and stop on revocation.
 * The CORS answers are what a browser on the host page would get.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WidgetKeyJson } from '#protocol/widget/types';
import { STORIES, STORIES_SHA256, startAdminServer, type AdminServer } from './helpers';

const DIGEST = `sha256:${STORIES_SHA256}`;
const WIKI = 'https://wiki.corp.example';
const EVIL = 'https://evilcorp.example';
const MESSAGES = [{ role: 'user', content: 'Once upon a time' }];

let server: AdminServer;
let appDir: string;
let key: string;
let keyId: number;
let prefix: string;

function widgetCall(route: string, origin: string | undefined, init: RequestInit = {}) {
  return fetch(server.url + route, {
    ...init,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(origin ? { origin } : {}),
      ...(init.headers as Record<string, string> | undefined)
    }
  });
}

const chat = (origin: string | undefined, model = 'stories') =>
  widgetCall('/api/chat', origin, {
    method: 'POST',
    body: JSON.stringify({ model, messages: MESSAGES, stream: false })
  });

/** A new key for the "stories" model (no rate limit unless given), as the admin page makes it. */
async function newKey(fields: Record<string, unknown>) {
  const created = await server.api('POST', '/api/admin/widgets', {
    models: ['stories'],
    rateLimitPerMin: 0,
    ...fields
  });
  expect(created.status).toBe(201);
  return created.body as { key: string; widgetKey: WidgetKeyJson };
}

const preflight = (route: string, origin: string) =>
  fetch(server.url + route, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type'
    }
  });

beforeAll(async () => {
  // A stand-in build holding only what these tests fetch, so no app build is needed.
  appDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-app-'));
  await fs.mkdir(path.join(appDir, 'widget'));
  await fs.mkdir(path.join(appDir, '_app'));
  await fs.writeFile(path.join(appDir, 'index.html'), '<!doctype html><title>app</title>');
  await fs.writeFile(path.join(appDir, 'widget.js'), 'void 0;');
  await fs.writeFile(path.join(appDir, 'widget', 'panel.js'), 'export {};');
  // The build ships precompressed siblings; the server sends those when accepted.
  await fs.writeFile(path.join(appDir, 'widget.js.br'), brotliCompressSync('void 0;'));
  await fs.writeFile(path.join(appDir, '_app', 'app.js'), 'export {};');
  server = await startAdminServer('admin', 'admin password 1', { HEARTH_APP_DIR: appDir });

  const up = await fetch(`${server.url}/api/blobs/${DIGEST}`, {
    method: 'POST',
    headers: server.headers,
    body: await fs.readFile(STORIES)
  });
  expect(up.status).toBe(201);
  for (const model of ['stories', 'secret-stories']) {
    const created = await server.api('POST', '/api/create', {
      model,
      files: { 'stories260K.gguf': DIGEST },
      parameters: { temperature: 0, num_predict: 24 },
      stream: false
    });
    expect(created.status).toBe(200);
  }
});

afterAll(async () => {
  await server?.close();
  if (appDir) await fs.rm(appDir, { recursive: true, force: true });
});

describe('administrators manage widget keys', () => {
  it('refuses invalid origins and models, naming the field', async () => {
    const badOrigin = await server.api('POST', '/api/admin/widgets', {
      name: 'wiki',
      origins: ['*.com'],
      models: ['stories']
    });
    expect(badOrigin.status).toBe(400);
    expect(badOrigin.body.error).toMatch(/origins\.0: .*too broad/);
    const noModels = await server.api('POST', '/api/admin/widgets', {
      name: 'wiki',
      origins: [WIKI],
      models: []
    });
    expect(noModels.status).toBe(400);
    expect(noModels.body.error).toMatch(/models/);
  });

  it('creates a key shown once and lists it without its secret', async () => {
    const created = await server.api('POST', '/api/admin/widgets', {
      name: 'Wiki assistant',
      origins: ['*.corp.example', 'http://localhost:5173'],
      models: ['stories'],
      rateLimitPerMin: 4
    });
    expect(created.status).toBe(201);
    key = created.body.key;
    keyId = created.body.widgetKey.id;
    prefix = created.body.widgetKey.prefix;
    expect(key).toMatch(/^hw_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`${prefix}_`)).toBe(true);
    expect(created.body.widgetKey).toMatchObject({
      name: 'Wiki assistant',
      origins: ['https://*.corp.example', 'http://localhost:5173'],
      models: ['stories'],
      rateLimitPerMin: 4,
      revokedAt: null
    });
    const listed = await server.api('GET', '/api/admin/widgets');
    expect(listed.status).toBe(200);
    expect(listed.body.widgetKeys).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(prefix.length));
    const audit = await server.api('GET', '/api/admin/audit');
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toContain('widget.create');
  });
});

describe('a widget key on its host pages', () => {
  it('answers the preflight of a chat route for a listed origin only', async () => {
    const ok = await preflight('/api/chat', WIKI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(WIKI);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    // Credentials count only for keys that require a signed-in visitor (tested below).
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await preflight('/v1/chat/completions', WIKI)).status).toBe(204);
    for (const [route, origin] of [
      ['/api/chat', EVIL],
      ['/api/chat', 'https://corp.example.evil.com'],
      ['/api/tags', WIKI],
      ['/api/pull', WIKI],
      ['/api/admin/users', WIKI]
    ]) {
      const refused = await preflight(route, origin);
      expect(refused.status, `${route} from ${origin}`).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('chats with its model from a listed origin, greedily as the model itself does', async () => {
    const res = await chat(WIKI);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(WIKI);
    const answer = (await res.json()) as { message: { content: string } };
    const reference = await server.api('POST', '/api/chat', {
      model: 'stories',
      messages: MESSAGES,
      stream: false
    });
    expect(reference.status).toBe(200);
    expect(answer.message.content.length).toBeGreaterThan(0);
    expect(answer.message.content).toBe(reference.body.message.content);
  });

  it('chats in the OpenAI dialect too', async () => {
    const res = await widgetCall('/v1/chat/completions', WIKI, {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', messages: MESSAGES })
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
  });

  it('refuses, readably, an origin the key does not list and a request without one', async () => {
    for (const origin of [EVIL, 'https://corp.example', 'http://wiki.corp.example']) {
      const res = await chat(origin);
      expect(res.status, origin).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(((await res.json()) as { error: string }).error).toContain(
        'not allowed for this widget key'
      );
    }
    const noOrigin = await chat(undefined);
    expect(noOrigin.status).toBe(403);
  });

  it('refuses models outside its list', async () => {
    const res = await chat(WIKI, 'secret-stories');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/access to model/);
  });

  it('can do nothing but chat', async () => {
    const attempts: [string, string, unknown?][] = [
      ['GET', '/api/tags'],
      ['GET', '/v1/models'],
      ['GET', '/api/ps'],
      ['POST', '/api/show', { model: 'stories' }],
      ['POST', '/api/generate', { model: 'stories', prompt: 'Once' }],
      ['POST', '/api/embed', { model: 'stories', input: 'x' }],
      ['POST', '/api/pull', { model: 'stories' }],
      ['DELETE', '/api/delete', { model: 'stories' }],
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/widgets'],
      ['GET', '/api/auth/keys'],
      ['GET', '/api/status'],
      ['GET', '/api/chat']
    ];
    for (const [method, route, body] of attempts) {
      const res = await widgetCall(route, WIKI, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body)
      });
      expect([401, 403], `${method} ${route}`).toContain(res.status);
    }
  });

  it('refuses a mangled or unknown widget key', async () => {
    for (const bad of ['hw_nope', `${prefix}_${'A'.repeat(43)}`]) {
      const res = await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bad}`, origin: WIKI },
        body: JSON.stringify({ model: 'stories', messages: MESSAGES, stream: false })
      });
      expect(res.status).toBe(401);
    }
  });

  it('tells a page its key state through the public status probe, by prefix only', async () => {
    const probe = async (origin: string, name = prefix) => {
      const res = await fetch(`${server.url}/api/widget/status?key=${name}`, {
        headers: { origin }
      });
      expect(res.status).toBe(200);
      // A listed origin gets its own origin back (so it may ask with credentials), others "*".
      expect(res.headers.get('access-control-allow-origin')).toBe(origin === WIKI ? WIKI : '*');
      return res.json();
    };
    expect(await probe(WIKI)).toEqual({ state: 'ok', models: ['stories'], browserEngine: false });
    expect(await probe(EVIL)).toEqual({ state: 'origin' });
    expect(await probe(WIKI, 'hw_00000000')).toEqual({ state: 'unknown' });
  });

  it('limits each visitor to the key rate', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 6 && !limited; i++) {
      const res = await widgetCall('/api/chat', WIKI, {
        method: 'POST',
        body: JSON.stringify({ model: 'stories', messages: MESSAGES, stream: false })
      });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect(limited).toBeDefined();
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited!.headers.get('access-control-allow-origin')).toBe(WIKI);
  });
});

describe('a key that requires a signed-in visitor', () => {
  let signedKey: string;
  let signedPrefix: string;
  let signedId: number;

  const signedChat = (headers: Record<string, string>) =>
    fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signedKey}`,
        'content-type': 'application/json',
        origin: WIKI,
        ...headers
      },
      body: JSON.stringify({ model: 'stories', messages: MESSAGES, stream: false })
    });
  const status = async (headers: Record<string, string>) =>
    (await fetch(`${server.url}/api/widget/status?key=${signedPrefix}`, {
      headers: { origin: WIKI, ...headers }
    }).then((res) => res.json())) as { state: string; signInUrl?: string };

  beforeAll(async () => {
    const created = await newKey({ name: 'staff only', origins: [WIKI], requireSignIn: true });
    expect(created.widgetKey.requireSignIn).toBe(true);
    ({ key: signedKey } = created);
    ({ prefix: signedPrefix, id: signedId } = created.widgetKey);
  });
  // The revocation tests below expect no other active key for WIKI.
  afterAll(() => server.api('DELETE', `/api/admin/widgets/${signedId}`));

  it('refuses a visitor without a portal session, and the probe says to sign in', async () => {
    const res = await signedChat({});
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(WIKI);
    expect(((await res.json()) as { error: string }).error).toMatch(/sign in to the portal/);
    const stale = await signedChat({ cookie: 'hearth_session=stale' });
    expect(stale.status).toBe(401);
    expect(await status({})).toEqual({
      state: 'signin',
      models: ['stories'],
      browserEngine: false,
      signInUrl: '/login'
    });
  });

  it('answers a signed-in visitor, with credentials allowed for the page', async () => {
    const res = await signedChat({ cookie: server.headers.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(WIKI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(((await res.json()) as { message: { content: string } }).message.content).not.toBe('');
    expect((await status({ cookie: server.headers.cookie })).state).toBe('ok');
    // The visitor here is an administrator; through the widget they still get only its models.
    const other = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signedKey}`,
        'content-type': 'application/json',
        origin: WIKI,
        cookie: server.headers.cookie
      },
      body: JSON.stringify({ model: 'secret-stories', messages: MESSAGES, stream: false })
    });
    expect(other.status).toBe(403);
  });

  it('ignores the session for a key that does not require one', async () => {
    const res = await chat(EVIL);
    expect(res.status).toBe(403);
  });
});

describe('the portal previewing a key', () => {
  it('accepts any key from the portal itself, and nothing else more', async () => {
    const created = await newKey({ name: 'preview', origins: [WIKI] });
    const own = new URL(server.url).origin;
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${created.key}`,
        'content-type': 'application/json',
        origin: own
      },
      body: JSON.stringify({ model: 'stories', messages: MESSAGES, stream: false })
    });
    expect(res.status).toBe(200);
    const probe = await fetch(`${server.url}/api/widget/status?key=${created.widgetKey.prefix}`, {
      headers: { origin: own }
    });
    expect(await probe.json()).toEqual({ state: 'ok', models: ['stories'], browserEngine: false });
    // A same-origin GET carries no Origin header; the browser's Sec-Fetch-Site says whose.
    const bare = `${server.url}/api/widget/status?key=${created.widgetKey.prefix}`;
    expect(
      await (await fetch(bare, { headers: { 'sec-fetch-site': 'same-origin' } })).json()
    ).toEqual({ state: 'ok', models: ['stories'], browserEngine: false });
    expect(await (await fetch(bare)).json()).toEqual({ state: 'origin' });
    const tags = await fetch(`${server.url}/api/tags`, {
      headers: { authorization: `Bearer ${created.key}`, origin: own }
    });
    expect(tags.status).toBe(403);
    await server.api('DELETE', `/api/admin/widgets/${created.widgetKey.id}`);
  });
});

describe('a key whose visitors may run its models in their tab', () => {
  let browserKey: string;
  let browserPrefix: string;
  let browserId: number;
  const fromEngine = (route: string, token: string, headers: Record<string, string> = {}) =>
    fetch(server.url + route, {
      headers: { authorization: `Bearer ${token}`, 'sec-fetch-site': 'same-origin', ...headers }
    });

  beforeAll(async () => {
    const created = await newKey({
      name: 'in the tab',
      origins: ['https://*.corp.example'],
      rateLimitPerMin: 1,
      browserEngine: true
    });
    expect(created.widgetKey.browserEngine).toBe(true);
    ({ key: browserKey } = created);
    ({ prefix: browserPrefix, id: browserId } = created.widgetKey);
  });
  afterAll(() => server.api('DELETE', `/api/admin/widgets/${browserId}`));

  it('lets the engine page list and download its models only, sha256 intact', async () => {
    const listing = await fromEngine('/api/portal/weights', browserKey);
    expect(listing.status).toBe(200);
    const { models } = (await listing.json()) as {
      models: { name: string; url: string; digest: string }[];
    };
    expect(models.map((m) => m.name)).toEqual(['stories:latest']);
    expect(models[0].digest).toBe(STORIES_SHA256);
    // The model's own defaults travel along, so the tab answers as the server would.
    expect((models[0] as { parameters?: unknown }).parameters).toEqual({
      temperature: 0,
      num_predict: 24
    });
    const probe = await fetch(`${server.url}/api/widget/status?key=${browserPrefix}`, {
      headers: { origin: WIKI }
    });
    expect(((await probe.json()) as { browserEngine: boolean }).browserEngine).toBe(true);
    // Downloads are not questions: more of them than the key's rate of 1 per minute.
    for (let i = 0; i < 2; i++) {
      const blob = await fromEngine(models[0].url, browserKey, { range: 'bytes=0-15' });
      expect(blob.status).toBe(206);
      expect(
        Buffer.from(await blob.arrayBuffer())
          .subarray(0, 4)
          .toString()
      ).toBe('GGUF');
    }
  });

  it('refuses downloads from other pages, of other models, and for keys without it', async () => {
    const foreign = await fromEngine('/api/portal/weights', browserKey, {
      'sec-fetch-site': 'cross-site',
      origin: WIKI
    });
    expect(foreign.status).toBe(403);
    const listing = await fromEngine('/api/portal/weights', browserKey);
    const secret = ((await listing.json()) as { models: { url: string }[] }).models[0].url.replace(
      'stories',
      'secret-stories'
    );
    expect((await fromEngine(secret, browserKey)).status).toBe(403);
    const plain = await newKey({ name: 'server only', origins: [WIKI] });
    const refused = await fromEngine('/api/portal/weights', plain.key);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/browser engine is off/);
    await server.api('DELETE', `/api/admin/widgets/${plain.widgetKey.id}`);
  });

  it('serves the engine page framable by the key origins only', async () => {
    const ancestors = async (query: string) => {
      const res = await fetch(`${server.url}/embed/engine${query}`, {
        headers: { accept: 'text/html' }
      });
      expect(res.status).toBe(200);
      return /frame-ancestors ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
    };
    expect(await ancestors(`?key=${browserPrefix}`)).toBe("'self' https://*.corp.example");
    expect(await ancestors(`?key=${prefix}`)).toBe("'self'");
    expect(await ancestors('?key=hw_00000000')).toBe("'self'");
    expect(await ancestors('')).toBe("'self'");
  });
});

describe('what a widget request may ask', () => {
  it('keeps the model context, threads and keep_alive, and caps the answer length', async () => {
    const created = await newKey({ name: 'unmetered', origins: [WIKI] });
    const unmetered = created.key;
    const before = await server.api('GET', '/api/ps');
    const loaded = (before.body.models as { name: string; context_length: number }[])[0];
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${unmetered}`,
        'content-type': 'application/json',
        origin: WIKI
      },
      body: JSON.stringify({
        model: 'stories',
        messages: MESSAGES,
        stream: false,
        keep_alive: -1,
        options: { num_ctx: 64, num_thread: 64, num_predict: 1_000_000, temperature: 0 }
      })
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { eval_count: number };
    expect(answer.eval_count).toBeLessThanOrEqual(1_024);
    const after = await server.api('GET', '/api/ps');
    const still = (
      after.body.models as { name: string; context_length: number; expires_at: string }[]
    )[0];
    expect(still.context_length).toBe(loaded.context_length);
    expect(still.expires_at.startsWith('2318')).toBe(false);
    const revoked = await server.api('DELETE', `/api/admin/widgets/${created.widgetKey.id}`);
    expect(revoked.status).toBeLessThan(300);
  });
});

describe('widget files', () => {
  it('serves widget.js and its chunks to any page, and nothing else of the app', async () => {
    for (const file of ['/widget.js', '/widget/panel.js']) {
      const res = await fetch(server.url + file, { headers: { origin: EVIL } });
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    }
    const plain = await fetch(`${server.url}/widget.js`, { headers: { 'accept-encoding': 'br' } });
    expect(plain.headers.get('content-encoding')).toBe('br');
    expect(plain.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await plain.text()).toBe('void 0;');
    const app = await fetch(`${server.url}/_app/app.js`, { headers: { origin: EVIL } });
    expect(app.status).toBe(403);
    const own = await fetch(`${server.url}/_app/app.js`);
    expect(own.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});

describe('revocation', () => {
  it('stops the widget on its next request and closes the preflight', async () => {
    const revoked = await server.api('DELETE', `/api/admin/widgets/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.widgetKey.revokedAt).not.toBeNull();
    const res = await chat(WIKI);
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(WIKI);
    expect(((await res.json()) as { error: string }).error).toMatch(/revoked/);
    expect((await preflight('/api/chat', WIKI)).status).toBe(403);
    const status = await fetch(`${server.url}/api/widget/status?key=${prefix}`, {
      headers: { origin: WIKI }
    });
    expect(await status.json()).toEqual({ state: 'revoked' });
  });
});
