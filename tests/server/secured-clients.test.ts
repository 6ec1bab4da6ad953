/**
 * Clients of a server with sign-in on: the CLI carries HEARTH_API_KEY, and another Hearth
 * server pulls with HEARTH_REGISTRY_KEY. Real servers, real model, real binary.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORIES, STORIES_SHA256, startServer, type TestServer } from './helpers';
import { hearth } from './cli-runner';

const DIGEST = `sha256:${STORIES_SHA256}`;
let secured: TestServer;
let dataDir: string;
let adminKey: string;

async function setupAdmin(url: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: 'a long enough password' })
  });
  expect(res.status).toBe(201);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
  secured = await startServer({ HEARTH_AUTH: 'on', HEARTH_DATA: dataDir });
  const { cookie, csrf } = await setupAdmin(secured.url);
  const admin = { cookie, 'x-csrf-token': csrf };
  const upload = await fetch(`${secured.url}/api/blobs/${DIGEST}`, {
    method: 'POST',
    headers: admin,
    body: await fs.readFile(STORIES)
  });
  expect(upload.status).toBe(201);
  const created = await fetch(`${secured.url}/api/create`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stories', files: { 'model.gguf': DIGEST }, stream: false })
  });
  expect(created.status).toBe(200);
  const key = await fetch(`${secured.url}/api/auth/keys`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ops laptop' })
  });
  adminKey = ((await key.json()) as { key: string }).key;
});

afterAll(async () => {
  await secured?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('the CLI against a server with sign-in on', () => {
  it('is refused without a key, with a message that says so', async () => {
    const result = await hearth(['list'], { HEARTH_HOST: secured.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: .*(unauthori|sign|credential|key)/i);
  });

  it('lists the models with HEARTH_API_KEY', async () => {
    const result = await hearth(['list'], { HEARTH_HOST: secured.url, HEARTH_API_KEY: adminKey });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^stories:latest\s/m);
  });
});

describe('pulling from a server with sign-in on', () => {
  it('fails with 401 without a registry key and succeeds with one', async () => {
    const source = `${secured.url}/library/stories:latest`;
    const open = await startServer();
    try {
      const refused = await fetch(`${open.url}/api/pull`, {
        method: 'POST',
        body: JSON.stringify({ model: source, stream: false })
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/401|unauthori/i);
    } finally {
      await open.close();
    }

    const keyed = await startServer({ HEARTH_REGISTRY_KEY: adminKey });
    try {
      const pulled = await fetch(`${keyed.url}/api/pull`, {
        method: 'POST',
        body: JSON.stringify({ model: source, stream: false })
      });
      expect(await pulled.json()).toEqual({ status: 'success' });
      const tags = (await (await fetch(`${keyed.url}/api/tags`)).json()) as {
        models: Array<{ name: string }>;
      };
      expect(tags.models.map((m) => m.name)).toContain(
        `${new URL(secured.url).host}/library/stories:latest`
      );
    } finally {
      await keyed.close();
    }
  });
});
