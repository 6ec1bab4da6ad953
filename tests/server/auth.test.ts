/**
 * Sign-in on a real server (HEARTH_AUTH=on, temp data dir) with a real model: first-run
 * setup, a user whose group may use one model, and the official `ollama` and `openai`
 * clients carrying that user's API key.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORIES, STORIES_SHA256, startServer, type TestServer } from './helpers';

const DIGEST = `sha256:${STORIES_SHA256}`;
const PASSWORD = 'correct horse battery staple';

let server: TestServer;
let dataDir: string;
let adminCookie: string;
let adminCsrf: string;
let adminKey: string;
let userKey: string;
let userId: number;

async function call(
  method: string,
  route: string,
  options: { body?: unknown; headers?: Record<string, string> } = {}
) {
  const res = await fetch(server.url + route, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body)
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, headers: res.headers, body: json as any };
}

const asAdmin = (method: string, route: string, body?: unknown) =>
  call(method, route, {
    body,
    headers: { cookie: adminCookie, 'x-csrf-token': adminCsrf }
  });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
  server = await startServer({ HEARTH_AUTH: 'on', HEARTH_DATA: dataDir });
});

afterAll(async () => {
  await server?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('first run', () => {
  it('reports that setup is needed and nobody is signed in', async () => {
    const res = await call('GET', '/api/auth/session');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      authEnabled: true,
      setupRequired: true,
      setupTokenRequired: false,
      user: null,
      csrfToken: null
    });
  });

  it('refuses a weak first password with a message naming the field', async () => {
    const res = await call('POST', '/api/auth/setup', {
      body: { username: 'admin', password: 'short' }
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/password.*at least 8/);
  });

  it('creates the first admin and signs them in with an httpOnly, SameSite=Lax cookie', async () => {
    const res = await call('POST', '/api/auth/setup', {
      body: { username: '  管理员  ', password: PASSWORD, displayName: '王 管理' }
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      username: '管理员',
      role: 'admin',
      displayName: '王 管理'
    });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^hearth_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    adminCookie = setCookie.split(';')[0];
    adminCsrf = res.body.csrfToken;
    expect(adminCsrf).toMatch(/^[\w-]{43}$/);

    const session = await call('GET', '/api/auth/session', { headers: { cookie: adminCookie } });
    expect(session.body).toMatchObject({
      authEnabled: true,
      setupRequired: false,
      user: { username: '管理员', role: 'admin' },
      csrfToken: adminCsrf
    });
  });

  it('answers 409 to a second setup', async () => {
    const res = await call('POST', '/api/auth/setup', {
      body: { username: 'intruder', password: PASSWORD }
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'setup is already complete', code: 'setup_complete' });
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const res = await call('POST', '/api/auth/login', {
      body: { username: '管理员', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' }
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
  });
});

describe('session cookie and CSRF', () => {
  it('refuses a cookie-authenticated write without the CSRF token (a cross-site form post)', async () => {
    const res = await call('POST', '/api/auth/keys', {
      body: { name: 'laptop' },
      headers: { cookie: adminCookie }
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/CSRF/);
    const wrong = await call('POST', '/api/auth/keys', {
      body: { name: 'laptop' },
      headers: { cookie: adminCookie, 'x-csrf-token': 'x'.repeat(43) }
    });
    expect(wrong.status).toBe(403);
  });

  it('creates an API key with the token; the plaintext is returned once', async () => {
    const res = await asAdmin('POST', '/api/auth/keys', { name: 'admin laptop' });
    expect(res.status).toBe(201);
    adminKey = res.body.key;
    expect(adminKey).toMatch(/^hk_[0-9a-f]{8}_[\w-]{43}$/);
    expect(res.body.apiKey).toMatchObject({ name: 'admin laptop', prefix: adminKey.slice(0, 11) });
    const list = await asAdmin('GET', '/api/auth/keys');
    expect(list.body.keys).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(adminKey.slice(12));
  });

  it('lets reads through without a CSRF token', async () => {
    const res = await call('GET', '/api/tags', { headers: { cookie: adminCookie } });
    expect(res.status).toBe(200);
  });
});

describe('admin prepares a model, a user, a group and a grant', () => {
  it('uploads the real GGUF and creates two models through the API', async () => {
    const bytes = await fs.readFile(STORIES);
    const up = await fetch(`${server.url}/api/blobs/${DIGEST}`, {
      method: 'POST',
      headers: bearer(adminKey),
      body: bytes
    });
    expect(up.status).toBe(201);
    const ollama = new Ollama({ host: server.url, headers: bearer(adminKey) });
    const files = { files: { 'stories260K.gguf': DIGEST } };
    await ollama.create({ model: 'stories', ...files, parameters: { temperature: 0 } });
    await ollama.create({ model: 'secret-stories', ...files });
    const names = (await ollama.list()).models.map((m) => m.name).sort();
    expect(names).toEqual(['secret-stories:latest', 'stories:latest']);
  });

  it('creates a user, a group with them in it, and grants the group one model', async () => {
    const user = await asAdmin('POST', '/api/admin/users', {
      username: '李雷',
      password: PASSWORD,
      displayName: 'Li Lei'
    });
    expect(user.status).toBe(201);
    userId = user.body.user.id;
    expect(user.body.user).toMatchObject({ username: '李雷', role: 'user', disabled: false });

    const group = await asAdmin('POST', '/api/admin/groups', {
      name: 'writers',
      memberIds: [userId]
    });
    expect(group.status).toBe(201);
    const grant = await asAdmin('PUT', '/api/admin/permissions', {
      subjectType: 'group',
      subjectId: group.body.group.id,
      modelPattern: 'stories',
      canUse: true
    });
    expect(grant.status).toBe(200);
    expect(grant.body.grants).toEqual([
      {
        subjectType: 'group',
        subjectId: group.body.group.id,
        modelPattern: 'stories',
        canUse: true,
        canDownload: false
      }
    ]);
    expect(grant.body.models).toEqual(['secret-stories:latest', 'stories:latest']);
  });

  it('lets the user sign in (case-insensitively, by name) and make their own key', async () => {
    const bad = await call('POST', '/api/auth/login', {
      body: { username: '李雷', password: 'wrong password' }
    });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      error: 'invalid username or password',
      code: 'invalid_credentials'
    });
    const unknown = await call('POST', '/api/auth/login', {
      body: { username: 'nobody', password: PASSWORD }
    });
    expect(unknown.body).toEqual(bad.body);

    const login = await call('POST', '/api/auth/login', {
      body: { username: '李雷', password: PASSWORD }
    });
    expect(login.status).toBe(200);
    const headers = {
      cookie: login.headers.get('set-cookie')!.split(';')[0],
      'x-csrf-token': login.body.csrfToken
    };
    const key = await call('POST', '/api/auth/keys', { body: { name: 'scripts' }, headers });
    expect(key.status).toBe(201);
    userKey = key.body.key;
  });
});

describe("the user's key through the official clients", () => {
  it('ollama: lists only the granted model and generates the real greedy answer', async () => {
    const ollama = new Ollama({ host: server.url, headers: bearer(userKey) });
    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toEqual(['stories:latest']);
    const out = await ollama.generate({
      model: 'stories',
      prompt: 'Once upon a time',
      options: { temperature: 0, num_predict: 16 },
      stream: false
    });
    expect('Once upon a time' + out.response).toMatch(
      /^Once upon a time, there was a little girl named Lily\./
    );
    const chat = await ollama.chat({
      model: 'stories',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      options: { temperature: 0, num_predict: 8 }
    });
    expect(chat.message.content.length).toBeGreaterThan(0);
  });

  it('ollama: 403 on the other model (same answer whether or not it exists) and on admin routes', async () => {
    const ollama = new Ollama({ host: server.url, headers: bearer(userKey) });
    for (const model of ['secret-stories', 'does-not-exist']) {
      const error = await ollama
        .generate({ model, prompt: 'hi', stream: false })
        .catch((e: { status_code?: number; error?: string }) => e);
      expect(error).toMatchObject({
        status_code: 403,
        error: `access to model '${model}' denied`
      });
    }
    const show = await call('POST', '/api/show', {
      body: { model: 'secret-stories' },
      headers: bearer(userKey)
    });
    expect(show.status).toBe(403);
    const del = await ollama.delete({ model: 'stories' }).catch((e) => e);
    expect(del).toMatchObject({ status_code: 403, error: 'this action requires an administrator' });
    const admin = await call('GET', '/api/admin/users', { headers: bearer(userKey) });
    expect(admin.status).toBe(403);
    expect(admin.body).toEqual({
      error: 'this action requires an administrator',
      code: 'admin_required'
    });
  });

  it('openai: lists only the granted model, completes it, and gets OpenAI-shaped 403s', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: userKey, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['stories:latest']);
    const out = await client.completions.create({
      model: 'stories',
      prompt: 'Once upon a time',
      temperature: 0,
      max_tokens: 16
    });
    expect('Once upon a time' + out.choices[0].text).toMatch(
      /^Once upon a time, there was a little girl named Lily\./
    );
    const error = await client.chat.completions
      .create({ model: 'secret-stories', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toEqual({
      message: "access to model 'secret-stories' denied",
      type: 'permission_error',
      param: null,
      code: 'model_denied'
    });
    const noKey = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    const unauth = await noKey.models.list().catch((e: unknown) => e);
    expect(unauth).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('keeps /v2 weights behind can_download', async () => {
    const manifest = await call('GET', '/v2/library/stories/manifests/latest', {
      headers: bearer(userKey)
    });
    expect(manifest.status).toBe(403);
    const blob = await call('GET', `/v2/library/stories/blobs/${DIGEST}`, {
      headers: bearer(userKey)
    });
    expect(blob.status).toBe(403);

    const matrix = await asAdmin('GET', '/api/admin/permissions');
    const groupId = matrix.body.subjects.find((s: { name: string }) => s.name === 'writers').id;
    await asAdmin('PUT', '/api/admin/permissions', {
      grants: [
        {
          subjectType: 'group',
          subjectId: groupId,
          modelPattern: 'stories',
          canUse: true,
          canDownload: true
        }
      ]
    });
    const ok = await fetch(`${server.url}/v2/library/stories/blobs/${DIGEST}`, {
      headers: { ...bearer(userKey), range: 'bytes=0-3' }
    });
    expect(ok.status).toBe(206);
    expect(Buffer.from(await ok.arrayBuffer()).toString()).toBe('GGUF');
    // Another repository's blob stays out of reach, even with a digest that exists.
    const other = await call('GET', `/v2/library/secret-stories/blobs/${DIGEST}`, {
      headers: bearer(userKey)
    });
    expect(other.status).toBe(403);
  });
});

describe('revocation and disabling take effect on the next request', () => {
  it('a revoked key answers 401 at once', async () => {
    const made = await asAdmin('POST', `/api/admin/users/${userId}/keys`, { name: 'temp' });
    expect(made.status).toBe(201);
    const key = made.body.key as string;
    expect((await call('GET', '/api/tags', { headers: bearer(key) })).status).toBe(200);
    const revoked = await asAdmin('DELETE', `/api/admin/keys/${made.body.apiKey.id}`);
    expect(revoked.body.apiKey.revokedAt).not.toBeNull();
    const after = await call('GET', '/api/tags', { headers: bearer(key) });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'invalid or revoked API key' });
  });

  it('a disabled user is refused everywhere; enabling restores their key', async () => {
    const disable = await asAdmin('PATCH', `/api/admin/users/${userId}`, { disabled: true });
    expect(disable.body.user.disabled).toBe(true);
    expect((await call('GET', '/api/tags', { headers: bearer(userKey) })).status).toBe(401);
    const v1 = await call('GET', '/v1/models', { headers: bearer(userKey) });
    expect(v1.status).toBe(401);
    expect(v1.body.error.type).toBe('authentication_error');
    const login = await call('POST', '/api/auth/login', {
      body: { username: '李雷', password: PASSWORD }
    });
    expect(login.status).toBe(401);
    await asAdmin('PATCH', `/api/admin/users/${userId}`, { disabled: false });
    expect((await call('GET', '/api/tags', { headers: bearer(userKey) })).status).toBe(200);
  });

  it('signing out ends the session', async () => {
    const login = await call('POST', '/api/auth/login', {
      body: { username: '管理员', password: PASSWORD }
    });
    const headers = {
      cookie: login.headers.get('set-cookie')!.split(';')[0],
      'x-csrf-token': login.body.csrfToken
    };
    expect((await call('GET', '/api/admin/users', { headers })).status).toBe(200);
    const out = await call('POST', '/api/auth/logout', { headers });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^hearth_session=; .*Max-Age=0/);
    expect((await call('GET', '/api/admin/users', { headers })).status).toBe(401);
  });
});

describe('audit', () => {
  it('records sign-ins, failures and admin actions, newest first, paged', async () => {
    const page = await asAdmin('GET', '/api/admin/audit?limit=200');
    expect(page.status).toBe(200);
    const actions = page.body.entries.map((e: { action: string }) => e.action);
    for (const action of [
      'auth.setup',
      'auth.login',
      'auth.login_failed',
      'key.create',
      'key.revoke',
      'user.create',
      'user.update',
      'group.create',
      'permission.set',
      'model.create',
      'auth.logout'
    ])
      expect(actions).toContain(action);
    const ids = page.body.entries.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const first = await asAdmin('GET', '/api/admin/audit?limit=2');
    expect(first.body.entries).toHaveLength(2);
    const next = await asAdmin('GET', `/api/admin/audit?limit=2&before=${first.body.nextBefore}`);
    expect(next.body.entries[0].id).toBeLessThan(first.body.entries[1].id);
    // No secret ever lands in the log.
    const text = JSON.stringify(page.body);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(userKey);
    expect(text).not.toContain(adminKey);
  });
});
