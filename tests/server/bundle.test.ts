/**
 * Model bundles on real stores: two models that share the stories260K blob go out in one
 * file and come back in, byte for byte; a bundle cut halfway, tampered with, or holding
 * entries its index does not list is refused with nothing listed; a cut import resumes.
 * The `hearth export` / `hearth import` commands run as a user's shell would.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../server/bundle/export';
import { importBundle } from '../../server/bundle/import';
import { DiskModelStore } from '../../server/store/disk-store';
import { hearth } from './cli-runner';
import { STORIES, STORIES_DIGEST, STORIES_SHA256 } from './fixtures';

let tmp: string;
let source: DiskModelStore;
let bundle: string;

async function newStore(name: string): Promise<DiskModelStore> {
  const store = new DiskModelStore(path.join(tmp, name));
  await store.init();
  return store;
}

async function entriesOf(file: string): Promise<string[]> {
  const names: string[] = [];
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      names.push(header.name);
      stream.on('end', () => next());
      stream.resume();
    });
    reader.on('finish', () => resolve());
    reader.on('error', reject);
  });
  Readable.from(await fs.readFile(file)).pipe(reader);
  await done;
  return names;
}

const fileStream = async (file: string) => Readable.from(await fs.readFile(file));
const listed = async (store: DiskModelStore) => (await store.list()).map((m) => m.name).sort();
/** What identifies the models: names, manifest digests and sizes (not file times). */
const identities = async (store: DiskModelStore) =>
  (await store.list())
    .map(({ name, digest, size }) => ({ name, digest, size }))
    .sort((a, b) => a.name.localeCompare(b.name));

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-bundle-'));
  source = await newStore('source');
  await fs.copyFile(STORIES, source.blobPath(STORIES_DIGEST));
  await source.create({ model: 'stories', files: { 'model.gguf': STORIES_DIGEST } });
  await source.create({
    model: 'teller:v2',
    from: 'stories',
    system: 'You tell short stories.',
    license: 'MIT License\n\nCopyright (c) the authors'
  });
  bundle = path.join(tmp, 'two.hearth');
  await exportBundle({
    root: source.root,
    names: ['stories', 'teller:v2'],
    output: bundle,
    createdBy: 'hearth test'
  });
});
afterAll(async () => fs.rm(tmp, { recursive: true, force: true }));

describe('model bundles', () => {
  it('holds each blob once, after the index, a summary and the manifests', async () => {
    const names = await entriesOf(bundle);
    expect(names.slice(0, 4)).toEqual([
      'hearth-bundle.json',
      'README.txt',
      'manifests/registry.ollama.ai/library/stories/latest',
      'manifests/registry.ollama.ai/library/teller/v2'
    ]);
    const blobs = names.filter((n) => n.startsWith('blobs/'));
    expect(blobs).toContain(`blobs/sha256-${STORIES_SHA256}`);
    expect(new Set(blobs).size).toBe(blobs.length);
    expect(blobs.filter((n) => n === `blobs/sha256-${STORIES_SHA256}`)).toHaveLength(1);
  });

  it('imports into an empty store byte for byte, and skips what a store already has', async () => {
    const empty = await newStore('empty');
    const first = await importBundle(empty, await fileStream(bundle));
    expect(first.models.sort()).toEqual(['stories:latest', 'teller:v2']);
    expect(first.skipped).toBe(0);
    expect(await identities(empty)).toEqual(await identities(source));
    expect((await empty.show('teller:v2')).system).toBe('You tell short stories.');

    const partly = await newStore('partly');
    await fs.copyFile(STORIES, partly.blobPath(STORIES_DIGEST));
    await partly.create({ model: 'stories', files: { 'model.gguf': STORIES_DIGEST } });
    const second = await importBundle(partly, await fileStream(bundle));
    expect(second.skipped).toBeGreaterThanOrEqual(1);
    expect(await listed(partly)).toEqual(['stories:latest', 'teller:v2']);
  });

  it('refuses a bundle cut halfway with nothing listed, and resumes from it', async () => {
    const whole = await fs.readFile(bundle);
    const cut = path.join(tmp, 'cut.hearth');
    await fs.writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const store = await newStore('resumed');
    await expect(importBundle(store, await fileStream(cut))).rejects.toThrow(
      /ends early|damaged|incomplete/
    );
    expect(await store.list()).toEqual([]);
    const resumed = await importBundle(store, await fileStream(bundle));
    expect(resumed.skipped).toBeGreaterThanOrEqual(1);
    expect(await listed(store)).toEqual(['stories:latest', 'teller:v2']);
  });

  it('refuses a bundle with one byte flipped in a blob, naming the blob', async () => {
    const bytes = Buffer.from(await fs.readFile(bundle));
    const at = bytes.indexOf('GGUF') + 4096;
    bytes[at] ^= 0xff;
    const store = await newStore('tampered');
    await expect(importBundle(store, Readable.from(bytes))).rejects.toThrow(
      `sha256:${STORIES_SHA256} in the bundle is damaged`
    );
    expect(await store.list()).toEqual([]);
    expect(await fs.readdir(path.join(store.root, 'blobs'))).not.toContain(
      `sha256-${STORIES_SHA256}`
    );
  });

  it('refuses what is not a bundle, and entries the index does not list', async () => {
    const store = await newStore('strangers');
    await expect(importBundle(store, Readable.from(Buffer.alloc(4096, 7)))).rejects.toThrow(
      /not a tar file|not a Hearth bundle/
    );
    const [index] = await (async () => {
      const reader = extract();
      const found: string[] = [];
      reader.on('entry', async (header, stream, next) => {
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        if (header.name === 'hearth-bundle.json') found.push(Buffer.concat(chunks).toString());
        next();
      });
      const done = new Promise<void>((resolve) => reader.on('finish', () => resolve()));
      Readable.from(await fs.readFile(bundle)).pipe(reader);
      await done;
      return found;
    })();
    const forged = pack();
    forged.entry({ name: 'hearth-bundle.json' }, index);
    forged.entry({ name: '../../escaped' }, 'x');
    forged.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of forged) chunks.push(chunk as Buffer);
    await expect(importBundle(store, Readable.from(Buffer.concat(chunks)))).rejects.toThrow(
      'the bundle holds "../../escaped", which its index does not list'
    );
    await expect(fs.access(path.join(store.root, '..', '..', 'escaped'))).rejects.toThrow();
    expect(await store.list()).toEqual([]);
  });

  it('splits into parts for a FAT32 stick and reads them back in order; a lost part is named', async () => {
    const base = path.join(tmp, 'split', 'stick.hearth');
    await fs.mkdir(path.dirname(base));
    const exported = await hearth(
      ['export', 'stories', 'teller:v2', '-o', base, '--split', '1M', '--models', source.root],
      {}
    );
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/in 2 parts/);
    const parts = (await fs.readdir(path.dirname(base))).sort();
    expect(parts).toEqual(['stick.hearth.001', 'stick.hearth.002']);
    expect((await fs.stat(`${base}.001`)).size).toBe(1024 * 1024);
    const joined = Buffer.concat([
      await fs.readFile(`${base}.001`),
      await fs.readFile(`${base}.002`)
    ]);
    expect(joined.length).toBe((await fs.stat(bundle)).size);

    const target = path.join(tmp, 'from-parts');
    const imported = await hearth(['import', `${base}.001`, '--models', target], {});
    expect(imported.code).toBe(0);
    expect(await listed(new DiskModelStore(target))).toEqual(['stories:latest', 'teller:v2']);

    await fs.rm(`${base}.002`);
    const cut = await hearth(['import', base, '--models', path.join(tmp, 'cut-parts')], {});
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/ends early/);
    await fs.rename(`${base}.001`, `${base}.002`);
    const gap = await hearth(['import', base, '--models', path.join(tmp, 'gap-parts')], {});
    expect(gap.stderr).toMatch(/part stick\.hearth\.001 of stick\.hearth is missing/);
  });

  it('moves models with `hearth export` and `hearth import` into an Ollama folder', async () => {
    const out = path.join(tmp, 'cli.hearth');
    const exported = await hearth(['export', 'teller:v2', '-o', out, '--models', source.root], {});
    expect(exported.stderr + exported.stdout).toMatch(/wrote .*cli\.hearth: teller:v2/);
    expect(exported.code).toBe(0);
    const ollamaFolder = path.join(tmp, 'dot-ollama', 'models');
    const imported = await hearth(['import', out, '--models', ollamaFolder], {});
    expect(imported.stdout).toMatch(/imported teller:v2/);
    expect(imported.code).toBe(0);
    const store = new DiskModelStore(ollamaFolder);
    expect(await listed(store)).toEqual(['teller:v2']);
    const missing = await hearth(['export', 'nope', '-o', out, '--models', source.root], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/model 'nope' not found/);
  });
});
