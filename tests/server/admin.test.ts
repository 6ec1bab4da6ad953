/**
 * The admin API's rules (validation, last-admin protection, groups, grants), the
 * database's persistence across restarts and processes, `hearth admin` through the real
 * binary, and that no secret reaches a log line.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { authMode } from '../../server/auth/mode';
import { normalizePattern, patternMatches } from '../../server/auth/permissions';
import { AuthStore } from '../../server/auth/service';
import { MIGRATIONS } from '../../server/auth/schema';
import { hearth } from './cli-runner';
import { startAdminServer, startServer, type AdminServer } from './helpers';

const PASSWORD = 'a long enough password';

describe('auth mode and model patterns', () => {
  it('turns sign-in on off-loopback unless HEARTH_AUTH=off, and off on loopback unless on', () => {
    expect(authMode({ auth: 'auto', host: '127.0.0.1' })).toBe('off');
    expect(authMode({ auth: 'auto', host: '::1' })).toBe('off');
    expect(authMode({ auth: 'auto', host: '0.0.0.0' })).toBe('on');
    expect(authMode({ auth: 'auto', host: '192.168.1.20' })).toBe('on');
    expect(authMode({ auth: 'off', host: '0.0.0.0' })).toBe('off');
    expect(authMode({ auth: 'on', host: '127.0.0.1' })).toBe('on');
    expect(() => loadConfig({ HEARTH_AUTH: 'maybe' })).toThrow(/HEARTH_AUTH/);
  });

  it('matches exact names, every tag of an untagged name, and globs', () => {
    expect(normalizePattern(' Library/Stories:Latest ')).toBe('stories:latest');
    expect(normalizePattern('stories')).toBe('stories');
    expect(normalizePattern('Qwen*')).toBe('qwen*');
    expect(() => normalizePattern('bad name!')).toThrow(/invalid model pattern/);
    expect(patternMatches('stories:latest', 'STORIES')).toBe(true);
    expect(patternMatches('stories:latest', 'stories:v2')).toBe(false);
    expect(patternMatches('stories', 'stories:v2')).toBe(true);
    expect(patternMatches('stories', 'stories-2:latest')).toBe(false);
    expect(patternMatches('qwen*', 'qwen2.5:7b')).toBe(true);
    expect(patternMatches('qwen*', 'team/qwen:1b')).toBe(false);
    expect(patternMatches('*', 'team/qwen:1b')).toBe(true);
  });
});

describe('admin API rules', () => {
  let server: AdminServer;
  let headers: Record<string, string>;
  let rootId: number;
  const api = (method: string, route: string, body?: unknown) => server.api(method, route, body);

  beforeAll(async () => {
    server = await startAdminServer('Root', PASSWORD);
    ({ headers, adminId: rootId } = server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('validates names: trimmed, any script, length-limited, no control characters, unique ignoring case', async () => {
    const long = await api('POST', '/api/admin/users', {
      username: 'x'.repeat(65),
      password: PASSWORD
    });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatch(/^username: username must be at most 64 characters/);
    const control = await api('POST', '/api/admin/users', {
      username: 'a\u0000b',
      password: PASSWORD
    });
    expect(control.status).toBe(400);
    const script = await api('POST', '/api/admin/users', {
      username: ' <b>Zhāng 张</b> ',
      password: PASSWORD,
      displayName: '<script>alert(1)</script>'
    });
    expect(script.status).toBe(201);
    // Stored and returned as typed: escaping is the UI's job, at render time.
    expect(script.body.user).toMatchObject({
      username: '<b>Zhāng 张</b>',
      displayName: '<script>alert(1)</script>'
    });
    const dup = await api('POST', '/api/admin/users', { username: 'ROOT', password: PASSWORD });
    expect(dup.status).toBe(409);
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'root', password: PASSWORD })
    });
    expect(login.status).toBe(200);
  });

  it('never lets the last enabled admin go', async () => {
    expect((await api('PATCH', `/api/admin/users/${rootId}`, { role: 'user' })).status).toBe(409);
    expect((await api('PATCH', `/api/admin/users/${rootId}`, { disabled: true })).status).toBe(409);
    expect((await api('DELETE', `/api/admin/users/${rootId}`)).status).toBe(409);
    const second = await api('POST', '/api/admin/users', {
      username: 'second',
      password: PASSWORD,
      role: 'admin'
    });
    expect(second.status).toBe(201);
    const demote = await api('PATCH', `/api/admin/users/${second.body.user.id}`, { role: 'user' });
    expect(demote.body.user.role).toBe('user');
  });

  it('manages groups and membership, and a deleted group takes its grants along', async () => {
    const users = (await api('GET', '/api/admin/users')).body.users as {
      id: number;
      username: string;
    }[];
    const second = users.find((u) => u.username === 'second')!;
    const group = await api('POST', '/api/admin/groups', { name: '研发部', description: 'R&D' });
    expect(group.status).toBe(201);
    const id = group.body.group.id;
    expect(
      (await api('PUT', `/api/admin/groups/${id}/members/${second.id}`)).body.group.memberIds
    ).toEqual([second.id]);
    expect((await api('PUT', `/api/admin/groups/${id}/members/9999`)).status).toBe(400);
    const listed = await api('GET', '/api/admin/users');
    expect(listed.body.users.find((u: { id: number }) => u.id === second.id).groupIds).toEqual([
      id
    ]);
    expect((await api('POST', '/api/admin/groups', { name: '研发部' })).status).toBe(409);

    const grant = await api('PUT', '/api/admin/permissions', {
      subjectType: 'group',
      subjectId: id,
      modelPattern: 'qwen*',
      canUse: true,
      canDownload: true
    });
    expect(grant.body.patterns).toEqual(['qwen*']);
    const badSubject = await api('PUT', '/api/admin/permissions', {
      grants: [
        { subjectType: 'user', subjectId: second.id, modelPattern: 'a', canUse: true },
        { subjectType: 'user', subjectId: 9999, modelPattern: 'b', canUse: true }
      ]
    });
    expect(badSubject.status).toBe(400);
    // All or nothing: the valid first grant was not written either.
    expect((await api('GET', '/api/admin/permissions')).body.grants).toHaveLength(1);

    expect(
      (await api('DELETE', `/api/admin/groups/${id}/members/${second.id}`)).body.group.memberIds
    ).toEqual([]);
    expect((await api('DELETE', `/api/admin/groups/${id}`)).status).toBe(204);
    expect((await api('GET', '/api/admin/permissions')).body.grants).toEqual([]);
  });

  it('changes a password: the old one stops working and other sessions end', async () => {
    const other = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'Root', password: PASSWORD })
    });
    const otherCookie = other.headers.get('set-cookie')!.split(';')[0];
    const wrong = await api('POST', '/api/auth/password', {
      currentPassword: 'not it at all',
      newPassword: 'another long password'
    });
    expect(wrong.status).toBe(400);
    const ok = await api('POST', '/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long password'
    });
    expect(ok.status).toBe(204);
    expect(
      (await fetch(`${server.url}/api/tags`, { headers: { cookie: otherCookie } })).status
    ).toBe(401);
    expect((await fetch(`${server.url}/api/tags`, { headers })).status).toBe(200);
  });
});

describe('the database across restarts and processes', () => {
  let dataDir: string;
  let modelsDir: string;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
    modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-models-'));
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.rm(modelsDir, { recursive: true, force: true });
  });

  it('`hearth admin create` writes an admin a running server accepts at once', async () => {
    const server = await startServer({ HEARTH_AUTH: 'on', HEARTH_DATA: dataDir });
    try {
      const env = { HEARTH_DATA: dataDir };
      const made = await hearth(['admin', 'create', 'Ops', '--password', PASSWORD], env);
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
      expect(made.stdout).toContain("Created administrator 'Ops'");
      const again = await hearth(['admin', 'create', 'ops'], env, `${PASSWORD}\n`);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe("Error: user 'ops' already exists\n");
      const weak = await hearth(['admin', 'create', 'x'], env, 'short\n');
      expect(weak.stderr).toMatch(/password must be at least 8 characters/);

      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'ops', password: PASSWORD })
      });
      expect(login.status).toBe(200);
      expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');

      // A password piped on stdin, so it never shows in `ps`.
      const reset = await hearth(['admin', 'reset-password', 'OPS'], env, 'a brand new password\n');
      expect(reset.code).toBe(0);
      const old = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'ops', password: PASSWORD })
      });
      expect(old.status).toBe(401);
      const fresh = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'ops', password: 'a brand new password' })
      });
      expect(fresh.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('keeps everything after a restart, with the schema version recorded', async () => {
    const store = await AuthStore.open(dataDir);
    try {
      expect(store.db.schemaVersion).toBe(MIGRATIONS.length);
      expect(store.users.byUsername('OPS')?.role).toBe('admin');
      expect(store.audit.page(50).entries.map((e) => e.action)).toContain('auth.login_failed');
    } finally {
      store.close();
    }
    const leftovers = (await fs.readdir(dataDir)).filter((f) => f !== 'hearth.db');
    expect(leftovers).toEqual([]);
  });

  it('refuses a corrupt database file with a clear error instead of starting empty', async () => {
    const broken = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
    try {
      await fs.writeFile(path.join(broken, 'hearth.db'), 'this is not sqlite'.repeat(100));
      await expect(
        buildApp(loadConfig({ HEARTH_MODELS: modelsDir, HEARTH_DATA: broken, HEARTH_AUTH: 'on' }))
      ).rejects.toThrow(/hearth\.db/);
    } finally {
      await fs.rm(broken, { recursive: true, force: true });
    }
  });

  it('never writes keys, passwords or cookies to the log', async () => {
    let logged = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk;
        done();
      }
    });
    const config = loadConfig({
      HEARTH_MODELS: modelsDir,
      HEARTH_DATA: dataDir,
      HEARTH_AUTH: 'on'
    });
    const { app } = await buildApp(config, { logger: { level: 'trace', stream } });
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'ops', password: 'a brand new password' }
      });
      const cookie = login.headers['set-cookie'] as string;
      const token = cookie.split(';')[0].split('=')[1];
      const csrf = (login.json() as { csrfToken: string }).csrfToken;
      const made = await app.inject({
        method: 'POST',
        url: '/api/auth/keys',
        headers: { cookie: `hearth_session=${token}`, 'x-csrf-token': csrf },
        payload: { name: 'log test' }
      });
      const key = (made.json() as { key: string }).key;
      await app.inject({ url: '/api/tags', headers: { authorization: `Bearer ${key}` } });
      await app.inject({ url: '/api/nope', headers: { authorization: 'Bearer hk_bad' } });
      expect(logged.length).toBeGreaterThan(0);
      for (const secret of [token, csrf, key, 'a brand new password', 'hk_bad'])
        expect(logged).not.toContain(secret);
    } finally {
      await app.close();
    }
  });
});
