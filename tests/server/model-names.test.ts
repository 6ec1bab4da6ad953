/**
 * Names that try to leave the models folder: every model route and the registry read
 * paths answer 400 for them, and the folder is byte-for-byte what it was before. Also
 * how names that differ only in case land on disk.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../server/store/layout';
import { createModelFrom, postJson } from './fixtures';
import { startModelServer, type ModelServer } from './model-routes-app';

let server: ModelServer;
const post = (p: string, body: unknown, method = 'POST') => postJson(server.url + p, body, method);

/** Every folder and file under dir, files with a hash of their bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string) => {
    for (const entry of await fs.readdir(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      const key = path.relative(dir, full);
      if (entry.isDirectory()) {
        out[`${key}/`] = 'dir';
        await walk(full);
      } else {
        out[key] = crypto
          .createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex');
      }
    }
  };
  await walk(dir);
  return out;
}

let before: Record<string, string>;

beforeAll(async () => {
  server = await startModelServer('hearth-names-');
  await createModelFrom(server.url, 'stories');
});
afterAll(() => server.close());
beforeEach(async () => {
  // manifests/ and blobs/ are one level down, so "../x" from them still lands in here.
  before = await snapshot(server.root);
});

async function expectUnchanged() {
  expect(await snapshot(server.root)).toEqual(before);
}

const BLOB_HEX = sha256Hex('a blob an attacker wants to block');
const ATTACKS = [
  '../escape/x:y',
  `../blobs/sha256-${BLOB_HEX}:x`,
  './hidden/x:y',
  '..',
  '../x',
  'x:..',
  'x/..',
  '.x',
  '/abs/x:y',
  'a/b/c/d',
  'x:../../y',
  'x\\..\\y',
  'x y',
  'x\u0000y',
  'ns.with.dots/x',
  'x'.repeat(81)
];

describe('names that would escape the manifests folder', () => {
  it.each(ATTACKS)('copy to %j is a 400 and changes nothing', async (destination) => {
    const res = await post('/api/copy', { source: 'stories', destination });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^invalid destination name /);
    await expectUnchanged();
  });

  it.each(ATTACKS)('copy from %j is a 400', async (source) => {
    const res = await post('/api/copy', { source, destination: 'fine' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^invalid source name /);
    await expectUnchanged();
  });

  it.each(ATTACKS)('show, delete, create and pull of %j are 400s', async (model) => {
    const statuses = [
      (await post('/api/show', { model })).status,
      (await post('/api/delete', { model }, 'DELETE')).status,
      (await post('/api/create', { model, from: 'stories' })).status,
      (await post('/api/create', { model: 'fine', from: model })).status,
      (await post('/api/pull', { model, stream: false })).status
    ];
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    await expectUnchanged();
  });

  it('leaves the blob a "../blobs/sha256-…" name aimed at storable afterwards', async () => {
    await post('/api/copy', { source: 'stories', destination: `../blobs/sha256-${BLOB_HEX}:x` });
    const res = await fetch(`${server.url}/api/blobs/sha256:${BLOB_HEX}`, {
      method: 'POST',
      body: 'a blob an attacker wants to block'
    });
    expect(res.status).toBe(201);
  });

  it('refuses a pull whose scheme is not http or https', async () => {
    const res = await post('/api/pull', { model: 'file://host/ns/x', stream: false });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/unsupported scheme/);
  });
});

describe('the registry read paths', () => {
  const get = (p: string, method = 'GET') => fetch(server.url + p, { method });

  it('answers TAG_INVALID for a tag that is not a tag, reading nothing outside the store', async () => {
    await fs.writeFile(path.join(server.root, 'secret.json'), JSON.stringify({ schemaVersion: 2 }));
    before = await snapshot(server.root);
    for (const tag of [
      '..%2F..%2F..%2F..%2Fsecret.json',
      '..%2F..%2F..%2Fsecret.json',
      '..%2F',
      '.hidden',
      'x%00',
      'a%2Fb',
      't'.repeat(81)
    ]) {
      const res = await get(`/v2/library/stories/manifests/${tag}`);
      expect(res.status, tag).toBe(400);
      const body = await res.json();
      expect(body.errors[0].code, tag).toBe('TAG_INVALID');
      expect((await get(`/v2/library/stories/manifests/${tag}`, 'HEAD')).status).toBe(400);
    }
    await expectUnchanged();
    await fs.rm(path.join(server.root, 'secret.json'));
  });

  it('answers NAME_INVALID for a bad namespace or model, on manifests and blobs', async () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    for (const [namespace, model] of [
      ['..%2F..', 'stories'],
      ['library', '..%2F..%2Fmanifests'],
      ['lib.rary', 'stories'],
      ['library', '-x'],
      ['library', '%20x']
    ]) {
      for (const route of [`manifests/latest`, `blobs/${digest}`]) {
        const res = await get(`/v2/${namespace}/${model}/${route}`);
        expect(res.status, `${namespace}/${model}/${route}`).toBe(400);
        expect((await res.json()).errors[0].code).toBe('NAME_INVALID');
      }
    }
  });

  it('answers DIGEST_INVALID for a digest that is not sha256:<hex>', async () => {
    for (const digest of ['sha256-' + '0'.repeat(64), '..%2F..%2Fx', 'sha256:' + 'A'.repeat(64)]) {
      const res = await get(`/v2/library/stories/blobs/${digest}`);
      expect(res.status, digest).toBe(400);
      expect((await res.json()).errors[0].code).toBe('DIGEST_INVALID');
    }
  });

  it('still serves the real manifest, under any case of its name', async () => {
    expect((await get('/v2/library/stories/manifests/latest')).status).toBe(200);
    expect((await get('/v2/Library/STORIES/manifests/Latest')).status).toBe(200);
  });
});

describe('case', () => {
  it('writes a name that differs only in case over the stored spelling', async () => {
    const copy = await post('/api/copy', { source: 'stories', destination: 'Team/Coder:V1' });
    expect(copy.status).toBe(200);
    expect(
      (await post('/api/copy', { source: 'stories', destination: 'team/coder:v2' })).status
    ).toBe(200);
    expect(
      (await post('/api/copy', { source: 'stories', destination: 'TEAM/CODER:v1' })).status
    ).toBe(200);
    const dir = path.join(server.root, 'manifests', 'registry.ollama.ai');
    expect((await fs.readdir(dir)).sort()).toEqual(['Team', 'library']);
    expect((await fs.readdir(path.join(dir, 'Team', 'Coder'))).sort()).toEqual(['V1', 'v2']);
    const shown = await post('/api/show', { model: 'team/coder:V1' });
    expect(shown.status).toBe(200);
    expect((await post('/api/delete', { model: 'team/CODER:v1' }, 'DELETE')).status).toBe(200);
    expect((await post('/api/delete', { model: 'Team/Coder:v2' }, 'DELETE')).status).toBe(200);
    expect((await fs.readdir(dir)).sort()).toEqual(['library']);
  });
});
