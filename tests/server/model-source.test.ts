/**
 * The portal's default model source: an administrator sets it (checked and normalized by
 * the same rules as the app's own setting), a plain user may not, every user reads it in
 * the weights listing the app fetches anyway, and it lasts across a restart. A loopback
 * server with sign-in off answers "none" without creating the accounts database.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalWeightsResponse } from '#protocol/portal/types';
import { startAdminServer, startServer, type AdminServer } from './helpers';

const PASSWORD = 'a long enough password';

describe('the model source an administrator sets for the portal', () => {
  let server: AdminServer;
  let userHeaders: Record<string, string>;

  beforeAll(async () => {
    server = await startAdminServer('root', PASSWORD);
    expect(
      (await server.api('POST', '/api/admin/users', { username: 'ann', password: PASSWORD })).status
    ).toBe(201);
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'ann', password: PASSWORD })
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    userHeaders = {
      cookie: login.headers.get('set-cookie')!.split(';')[0],
      'x-csrf-token': csrfToken
    };
  });
  afterAll(() => server?.close());

  const asUser = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(server.url + route, {
      method,
      headers: userHeaders,
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is none until set, for the admin and in every user’s weights listing', async () => {
    expect((await server.api('GET', '/api/admin/model-source')).body).toEqual({
      modelSource: null
    });
    const listing = await asUser('GET', '/api/portal/weights');
    expect(listing.status).toBe(200);
    expect((listing.body as unknown as PortalWeightsResponse).modelSource).toBeNull();
  });

  it('is set by an administrator, normalized, and read by users', async () => {
    const put = await server.api('PUT', '/api/admin/model-source', {
      modelSource: { kind: 'hf-mirror', url: ' https://HF-Mirror.com/ ' }
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ modelSource: { kind: 'hf-mirror', url: 'https://hf-mirror.com' } });
    expect((await server.api('GET', '/api/admin/model-source')).body).toEqual(put.body);
    const listing = await asUser('GET', '/api/portal/weights');
    expect(listing.body.modelSource).toEqual({ kind: 'hf-mirror', url: 'https://hf-mirror.com' });

    const lan = await server.api('PUT', '/api/admin/model-source', {
      modelSource: { kind: 'lan', url: 'http://fileserver.lan/models//' }
    });
    expect(lan.body.modelSource).toEqual({ kind: 'lan', url: 'http://fileserver.lan/models' });
    // ModelScope needs no URL; a URL given for Hugging Face itself is dropped.
    const ms = await server.api('PUT', '/api/admin/model-source', {
      modelSource: { kind: 'modelscope' }
    });
    expect(ms.body.modelSource).toEqual({ kind: 'modelscope' });
    const hf = await server.api('PUT', '/api/admin/model-source', {
      modelSource: { kind: 'huggingface', url: 'https://ignored.example' }
    });
    expect(hf.body.modelSource).toEqual({ kind: 'huggingface' });
  });

  it('refuses a plain user: 403 to read or change the default', async () => {
    const put = await asUser('PUT', '/api/admin/model-source', {
      modelSource: { kind: 'lan', url: 'http://evil.example/' }
    });
    expect(put.status).toBe(403);
    expect((await asUser('GET', '/api/admin/model-source')).status).toBe(403);
    expect((await server.api('GET', '/api/admin/model-source')).body.modelSource).toEqual({
      kind: 'huggingface'
    });
  });

  it('refuses bad URLs and kinds with a 400 that names the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { kind: 'hf-mirror', url: 'javascript:alert(1)' },
        /^modelSource\.url: .*http:\/\/ or https:\/\//
      ],
      [{ kind: 'lan', url: 'http://user:secret@files.lan/models' }, /modelSource\.url: .*password/],
      [{ kind: 'lan', url: 'http://files.lan/models?token=1' }, /modelSource\.url: .*"\?"/],
      [{ kind: 'lan' }, /modelSource\.url: this source needs a URL/],
      [{ kind: 'hf-mirror', url: 'hf-mirror.com' }, /modelSource\.url: must be a full URL/],
      [{ kind: 'dropbox', url: 'https://x.example' }, /^modelSource\.kind: /],
      [{ kind: 'lan', url: `https://x.example/${'a'.repeat(2000)}` }, /modelSource\.url: /]
    ];
    for (const [modelSource, error] of cases) {
      const answer = await server.api('PUT', '/api/admin/model-source', { modelSource });
      expect(answer.status, JSON.stringify(modelSource)).toBe(400);
      expect(answer.body.error).toMatch(error);
    }
    expect((await server.api('PUT', '/api/admin/model-source', {})).status).toBe(400);
    // Nothing bad was stored.
    expect((await server.api('GET', '/api/admin/model-source')).body.modelSource).toEqual({
      kind: 'huggingface'
    });
  });

  it('is cleared with null', async () => {
    const cleared = await server.api('PUT', '/api/admin/model-source', { modelSource: null });
    expect(cleared.body).toEqual({ modelSource: null });
    expect((await asUser('GET', '/api/portal/weights')).body.modelSource).toBeNull();
  });

  it('writes every change to the audit log, as set', async () => {
    const audit = await server.api('GET', '/api/admin/audit?action=settings.model_source');
    expect(audit.status).toBe(200);
    const recorded = (audit.body.entries as Array<{ detail: unknown; actor: { username: string } }>)
      .map((e) => e.detail)
      .reverse();
    expect(recorded).toEqual([
      { kind: 'hf-mirror', url: 'https://hf-mirror.com' },
      { kind: 'lan', url: 'http://fileserver.lan/models' },
      { kind: 'modelscope' },
      { kind: 'huggingface' },
      {}
    ]);
    expect(audit.body.entries[0].actor.username).toBeTruthy();
  });
});

describe('the setting’s lifetime', () => {
  it('survives a restart of the server on the same data folder', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
    try {
      const first = await startAdminServer('root', PASSWORD, { HEARTH_DATA: dataDir });
      await first.api('PUT', '/api/admin/model-source', {
        modelSource: { kind: 'modelscope', url: 'https://hf-mirror.com' }
      });
      await first.close();
      const again = await startServer({ HEARTH_AUTH: 'on', HEARTH_DATA: dataDir });
      try {
        const login = await fetch(`${again.url}/api/auth/login`, {
          method: 'POST',
          body: JSON.stringify({ username: 'root', password: PASSWORD })
        });
        const weights = await fetch(`${again.url}/api/portal/weights`, {
          headers: { cookie: login.headers.get('set-cookie')!.split(';')[0] }
        });
        expect(((await weights.json()) as PortalWeightsResponse).modelSource).toEqual({
          kind: 'modelscope',
          url: 'https://hf-mirror.com'
        });
      } finally {
        await again.close();
      }
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('is none on a loopback server with sign-in off, which still never creates hearth.db', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
    const server = await startServer({ HEARTH_DATA: dataDir });
    try {
      const weights = await fetch(`${server.url}/api/portal/weights`);
      expect(((await weights.json()) as PortalWeightsResponse).modelSource).toBeNull();
      await expect(fs.access(path.join(dataDir, 'hearth.db'))).rejects.toThrow();
    } finally {
      await server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
