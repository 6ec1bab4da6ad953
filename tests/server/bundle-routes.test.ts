/**
 * Model bundles from the admin page: GET /api/admin/bundles downloads the bundle of the
 * chosen models (the same file `hearth export` writes), POST imports one into another
 * server, verifying every digest; a bundle with a flipped byte is refused with nothing
 * listed. Real servers, the real stories260K model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelFrom, STORIES, STORIES_SHA256 } from './fixtures';
import { startAdminServer, type AdminServer } from './helpers';

let source: AdminServer;
let target: AdminServer;

beforeAll(async () => {
  [source, target] = await Promise.all([
    startAdminServer('admin', 'correct horse battery'),
    startAdminServer('admin', 'correct horse battery')
  ]);
  await createModelFrom(source.url, 'stories', STORIES, STORIES_SHA256, source.headers);
  await createModelFrom(source.url, 'tales', STORIES, STORIES_SHA256, source.headers);
});
afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
});

async function download(models: string): Promise<Response> {
  return fetch(`${source.url}/api/admin/bundles?models=${encodeURIComponent(models)}`, {
    headers: source.headers
  });
}

function upload(bytes: Uint8Array<ArrayBuffer>): Promise<Response> {
  return fetch(`${target.url}/api/admin/bundles`, {
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/octet-stream' },
    body: bytes
  });
}

async function listed(server: AdminServer): Promise<string[]> {
  const tags = (await (
    await fetch(`${server.url}/api/tags`, { headers: server.headers })
  ).json()) as {
    models: { name: string }[];
  };
  return tags.models.map((m) => m.name).sort();
}

describe('/api/admin/bundles', () => {
  it('downloads two models sharing a blob and imports them on another server', async () => {
    const res = await download('stories,tales');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="hearth-models-/);
    const bundle = new Uint8Array(await res.arrayBuffer());
    // One copy of the shared weights: the bundle is barely larger than the GGUF.
    expect(bundle.length).toBeLessThan(1_185_472 * 1.2);

    const imported = await upload(bundle);
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({
      models: ['stories:latest', 'tales:latest'],
      copied: expect.any(Number),
      skipped: 0
    });
    expect(await listed(target)).toEqual(['stories:latest', 'tales:latest']);
    const answer = await fetch(`${target.url}/api/generate`, {
      method: 'POST',
      headers: target.headers,
      body: JSON.stringify({
        model: 'tales',
        prompt: 'Once upon a time',
        stream: false,
        options: { num_predict: 4 }
      })
    });
    expect(answer.status).toBe(200);

    // Again: everything is already there.
    const again = await (await upload(bundle)).json();
    expect(again.copied).toBe(0);
    expect(again.skipped).toBeGreaterThan(0);
  });

  it('refuses a tampered bundle with nothing listed, and names a model it does not have', async () => {
    const bundle = new Uint8Array(await (await download('stories')).arrayBuffer());
    const fresh = await startAdminServer('admin', 'correct horse battery');
    try {
      const tampered = bundle.slice();
      tampered[tampered.length - 4096] ^= 0xff;
      const res = await fetch(`${fresh.url}/api/admin/bundles`, {
        method: 'POST',
        headers: { ...fresh.headers, 'content-type': 'application/octet-stream' },
        body: tampered
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/sha256/);
      expect(await listed(fresh)).toEqual([]);
    } finally {
      await fresh.close();
    }
    const missing = await download('stories,nope');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toContain('nope');
  });

  it('is for administrators only', async () => {
    expect((await fetch(`${source.url}/api/admin/bundles?models=stories`)).status).toBe(401);
    const res = await fetch(`${source.url}/api/admin/bundles`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(401);
  });
});
