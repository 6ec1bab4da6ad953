/**
 * DiskModelStore on real files: a models directory laid out by Ollama works unchanged,
 * writes are atomic, and prune removes only what nothing references.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskModelStore } from '../../server/store/disk-store';
import { sha256Hex } from '../../server/store/layout';
import { ModelNotFoundError } from '../../server/store/model-store';
import { MEDIA_TYPES } from '#protocol/ollama/types';
import { modelNameFromParts } from '#protocol/ollama/names';
import { STORIES } from './fixtures';

const STORIES_SHA256 = '7efbb964883be7eb395cea534bf9cf9826781f39a504e9710a00dfc4839579b5';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-store-'));
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

async function putBlob(content: Buffer | string): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(content);
  const hex = sha256Hex(bytes);
  await fs.mkdir(path.join(root, 'blobs'), { recursive: true });
  await fs.writeFile(path.join(root, 'blobs', `sha256-${hex}`), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** Lays out a model exactly as Ollama itself writes one. */
async function writeOllamaModel(manifestPath: string, template: string) {
  const model = await putBlob(await fs.readFile(STORIES));
  const tmpl = await putBlob(template);
  const params = await putBlob('{"stop":["</s>"],"temperature":0.3}');
  const license = await putBlob('MIT License');
  const config = await putBlob(
    JSON.stringify({
      model_format: 'gguf',
      model_family: 'llama',
      model_families: ['llama'],
      model_type: '260K',
      file_type: 'F32',
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [model.digest] }
    })
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, ...config },
    layers: [
      { mediaType: MEDIA_TYPES.model, ...model },
      { mediaType: MEDIA_TYPES.template, ...tmpl },
      { mediaType: MEDIA_TYPES.license, ...license },
      { mediaType: MEDIA_TYPES.params, ...params }
    ]
  };
  const file = path.join(root, 'manifests', manifestPath);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(manifest));
  return {
    manifestBytes: await fs.readFile(file),
    size: model.size + tmpl.size + params.size + license.size + config.size
  };
}

describe('an Ollama models directory', () => {
  it('lists, resolves and shows models as Ollama wrote them', async () => {
    const tiny = await writeOllamaModel(
      'registry.ollama.ai/library/tiny/latest',
      '{{ if .Tools }}tools{{ end }}{{ .Prompt }}'
    );
    await writeOllamaModel('registry.ollama.ai/someone/tiny/q8', '{{ .Prompt }}{{ .Suffix }}');
    // A manifest temp file left by a crash mid-write is not a model.
    await fs.writeFile(
      path.join(root, 'manifests/registry.ollama.ai/library/tiny/latest-tmp-1-abc'),
      '{"schema'
    );
    const store = new DiskModelStore(root);
    await store.init();

    const list = await store.list();
    expect(list.map((m) => m.name).sort()).toEqual(['someone/tiny:q8', 'tiny:latest']);
    const entry = list.find((m) => m.name === 'tiny:latest')!;
    expect(entry.digest).toBe(sha256Hex(tiny.manifestBytes));
    expect(entry.size).toBe(tiny.size);
    expect(entry.details).toEqual({
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '260K',
      quantization_level: 'F32'
    });

    const resolved = await store.resolve('TINY');
    expect(resolved.name).toBe('tiny:latest');
    expect(resolved.modelPath).toBe(path.join(root, 'blobs', `sha256-${STORIES_SHA256}`));
    expect(resolved.parameters).toEqual({ stop: ['</s>'], temperature: 0.3 });
    expect(resolved.license).toEqual(['MIT License']);

    const show = await store.show('tiny');
    expect(show.capabilities).toEqual(['completion', 'tools']);
    expect(show.license).toBe('MIT License');
    expect((await store.show('someone/tiny:q8')).capabilities).toEqual(['completion', 'insert']);
    await expect(store.resolve('tiny:other')).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(store.resolve('tiny:other')).rejects.toThrow("model 'tiny:other' not found");
  });

  it('serves registry manifests for local and previously pulled models', async () => {
    const local = await writeOllamaModel('registry.ollama.ai/library/tiny/latest', 'x');
    const pulled = await writeOllamaModel('10.0.0.5:11434/team/story/v2', 'y');
    const store = new DiskModelStore(root);
    const repo = (namespace: string, model: string, tag: string) =>
      store.registryManifest(modelNameFromParts({ namespace, model, tag }));
    expect(await repo('library', 'tiny', 'latest')).toEqual(local.manifestBytes);
    expect(await repo('team', 'story', 'v2')).toEqual(pulled.manifestBytes);
    expect(await repo('Team', 'Story', 'V2')).toEqual(pulled.manifestBytes);
    expect(await repo('team', 'story', 'v3')).toBeUndefined();
  });
});

describe('blobs and create', () => {
  it('streams a blob in, verifying it; a mismatch leaves no file', async () => {
    const store = new DiskModelStore(root);
    await store.init();
    const bytes = Buffer.from('hello blob');
    const digest = `sha256:${sha256Hex(bytes)}`;
    await expect(
      store.writeBlob(digest, Readable.from([Buffer.from('other bytes')]))
    ).rejects.toThrow(/digest mismatch/);
    expect(await fs.readdir(path.join(root, 'blobs'))).toEqual([]);
    const [a, b] = await Promise.all([
      store.writeBlob(digest, Readable.from([bytes])),
      store.writeBlob(digest, Readable.from([bytes]))
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await store.hasBlob(digest)).toBe(true);
    expect(await fs.readdir(path.join(root, 'blobs'))).toEqual([`sha256-${sha256Hex(bytes)}`]);
  });

  it('creates through the store API with progress, and derives details from the GGUF', async () => {
    const store = new DiskModelStore(root);
    await store.init();
    const { digest } = await putBlob(await fs.readFile(STORIES));
    const statuses: string[] = [];
    await store.create(
      { name: 'legacy-name', files: { 'm.gguf': digest }, license: ['A', 'B'] },
      (p) => statuses.push(p.status)
    );
    expect(statuses).toEqual([
      'parsing GGUF',
      `using existing layer ${digest}`,
      expect.stringMatching(/^creating new layer sha256:/),
      expect.stringMatching(/^creating new layer/),
      'writing manifest',
      'success'
    ]);
    const [model] = await store.list();
    expect(model.details).toMatchObject({
      family: 'llama',
      families: ['llama'],
      parameter_size: '293K',
      quantization_level: 'F32'
    });
    expect((await store.resolve('legacy-name')).license).toEqual(['A', 'B']);
  });
});

describe('prune', () => {
  it('removes only unreferenced blobs older than the grace period, keeping pull partials', async () => {
    await writeOllamaModel('registry.ollama.ai/library/tiny/latest', 't');
    const orphan = await putBlob('orphan');
    const partial = path.join(root, 'blobs', `sha256-${'a'.repeat(64)}-partial`);
    await fs.writeFile(partial, 'half');
    const store = new DiskModelStore(root);
    expect(await store.prune()).toEqual([]); // the orphan is young: a create may be about to use it
    const old = new Date(Date.now() - 3600_000);
    await fs.utimes(store.blobPath(orphan.digest), old, old);
    await fs.utimes(partial, old, old);
    expect(await store.prune()).toEqual([orphan.digest]);
    expect(await fs.readFile(partial, 'utf8')).toBe('half');
    expect((await store.list()).map((m) => m.name)).toEqual(['tiny:latest']);
    expect(await fs.stat((await store.resolve('tiny')).modelPath)).toBeTruthy();
  });

  it('deletes nothing while some manifest is unreadable', async () => {
    await writeOllamaModel('registry.ollama.ai/library/tiny/latest', 't');
    await fs.writeFile(
      path.join(root, 'manifests/registry.ollama.ai/library/tiny/broken'),
      'not json'
    );
    const orphan = await putBlob('orphan');
    const store = new DiskModelStore(root);
    expect(await store.prune({ graceMs: 0 })).toEqual([]);
    expect(await store.hasBlob(orphan.digest)).toBe(true);
    expect((await store.list()).map((m) => m.name)).toEqual(['tiny:latest']);
  });

  it('delete removes the manifest, its empty folders and the blobs only it used', async () => {
    await writeOllamaModel('registry.ollama.ai/library/tiny/latest', 'shared template');
    await writeOllamaModel('registry.ollama.ai/library/tiny/copy', 'own template');
    const store = new DiskModelStore(root, { pruneGraceMs: 0 });
    await store.delete('tiny:copy');
    expect(await store.hasBlob(`sha256:${sha256Hex('own template')}`)).toBe(false);
    expect(await store.hasBlob(`sha256:${sha256Hex('shared template')}`)).toBe(true);
    await store.delete('tiny');
    expect(await fs.readdir(path.join(root, 'manifests'))).toEqual([]);
    expect(await fs.readdir(path.join(root, 'blobs'))).toEqual([]);
    await expect(store.delete('tiny')).rejects.toBeInstanceOf(ModelNotFoundError);
  });
});
