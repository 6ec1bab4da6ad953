/**
 * A server others can reach is claimed by whoever runs it: first-run setup must quote the
 * token printed on the server's console.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth } from '../../server/auth/service';
import { startServer, type TestServer } from './helpers';

const account = { username: 'root', password: 'a long enough password' };

describe('when a setup token is needed', () => {
  const base = {
    auth: 'auto' as const,
    dataDir: path.join(os.tmpdir(), 'unused'),
    rateLimitPerMin: 0
  };

  it('makes one for a server bound beyond loopback, and none on loopback', () => {
    expect(new Auth({ ...base, host: '0.0.0.0' }).setupToken).toMatch(/^\S{12}$/);
    expect(new Auth({ ...base, host: '192.0.2.10' }).setupToken).not.toBe(
      new Auth({ ...base, host: '192.0.2.10' }).setupToken
    );
    expect(new Auth({ ...base, host: '127.0.0.1' }).setupToken).toBeNull();
    expect(new Auth({ ...base, host: '0.0.0.0', auth: 'off' }).setupToken).toBeNull();
  });

  it('uses HEARTH_SETUP_TOKEN when given', () => {
    expect(new Auth({ ...base, host: '0.0.0.0', setupToken: 'fixed-token' }).setupToken).toBe(
      'fixed-token'
    );
  });
});

describe('first-run setup with a setup token', () => {
  let server: TestServer;
  let dataDir: string;
  const post = (body: object) =>
    fetch(`${server.url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    });

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
    server = await startServer({
      HEARTH_AUTH: 'on',
      HEARTH_SETUP_TOKEN: 'tok-3f9a1c',
      HEARTH_DATA: dataDir
    });
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('tells the web app a token is required', async () => {
    const session = await (await fetch(`${server.url}/api/auth/session`)).json();
    expect(session).toMatchObject({ setupRequired: true, setupTokenRequired: true });
  });

  it('refuses setup without the token or with a wrong one, and creates nobody', async () => {
    for (const attempt of [account, { ...account, setupToken: 'tok-3f9a1d' }]) {
      const res = await post(attempt);
      expect(res.status).toBe(403);
      expect((await res.json()).error).toMatch(/setup token/);
    }
    const session = await (await fetch(`${server.url}/api/auth/session`)).json();
    expect(session.setupRequired).toBe(true);
  });

  it('creates the first administrator with the right token', async () => {
    const res = await post({ ...account, setupToken: 'tok-3f9a1c' });
    expect(res.status).toBe(201);
    expect((await res.json()).user).toMatchObject({ username: 'root', role: 'admin' });
  });
});
