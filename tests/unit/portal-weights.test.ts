/**
 * Portal weights in the browser catalog, against a real Hearth server holding the real
 * stories260K model: the /api/portal/weights listing → catalog entries, a download through
 * the ordinary resumable path (cut mid-body, resumed with Range) verified against the
 * listed digest, the entry kept for offline use, and MLC records handed to web-llm.
 */
import 'fake-indexeddb/auto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasModelInCache, prebuiltAppConfig, type AppConfig } from '@mlc-ai/web-llm';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { PortalOptions } from '../../server/api/portal';
import {
  fetchPortalWeights,
  isPortalModel,
  mergePortalCatalog,
  mlcWeightsToCatalog,
  portalWeightsToCatalog
} from '../../src/lib/portal/weights';
import { mlcAppConfig, portalMlcRecord } from '../../src/lib/models/mlc-config';
import { downloadModel } from '../../src/lib/downloads/download';
import { getCatalogModel, listCatalog, saveUserModel } from '../../src/lib/models/catalog';
import type { HearthDB } from '../../src/lib/store/db';
import { getModelState, readModelBlob } from '../../src/lib/store/model-files';
import type { MlcWeights } from '#protocol/portal/types';
import type { CatalogModel } from '../../src/lib/models/types';
import { createModelFrom, listenOnLoopback } from '../server/fixtures';
import { freshDatabase } from './helpers/db';
import { STORIES, STORIES_SHA256 } from './helpers/models';

const realFetch = globalThis.fetch.bind(globalThis);
/** The page's same-origin fetch: paths like "/api/…" resolve against the portal. */
const sameOrigin =
  (base: string): typeof fetch =>
  (input, init) =>
    realFetch(typeof input === 'string' && input.startsWith('/') ? base + input : input, init);

/** Like sameOrigin, but the first body is cut after `bytes`, as a dropped connection would. */
function cuttingFetch(base: string, bytes: number): { fetch: typeof fetch; ranges: string[] } {
  const ranges: string[] = [];
  let cut = false;
  const doFetch: typeof fetch = async (input, init) => {
    ranges.push(new Headers(init?.headers).get('range') ?? '');
    const response = await sameOrigin(base)(input, init);
    if (cut || !response.body) return response;
    cut = true;
    const reader = response.body.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        if (sent + value.byteLength > bytes) {
          controller.enqueue(value.subarray(0, bytes - sent));
          await reader.cancel();
          return controller.error(new TypeError('network connection lost'));
        }
        sent += value.byteLength;
        controller.enqueue(value);
      }
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: doFetch, ranges };
}

interface Portal {
  url: string;
  close(): Promise<void>;
}

/** A real Hearth server on a free loopback port, auth off (loopback), empty model store. */
async function startPortal(portal: PortalOptions = {}): Promise<Portal> {
  const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-portal-unit-'));
  const config = loadConfig({ HEARTH_MODELS: modelsDir, HEARTH_THREADS: '1' });
  const { app } = await buildApp(config, { portal });
  const { url } = await listenOnLoopback(app);
  return {
    url,
    async close() {
      await app.close();
      await fs.rm(modelsDir, { recursive: true, force: true });
    }
  };
}

let server: Portal;
let database: HearthDB;
const storiesBytes = (await fs.stat(STORIES)).size;

beforeAll(async () => {
  server = await startPortal();
  // Before any test stubs fetch: this goes to the server as an admin's client would.
  await createModelFrom(server.url, 'stories');
});
afterAll(() => server.close());
afterEach(() => vi.unstubAllGlobals());

function freshDb(): HearthDB {
  database = freshDatabase('portal-weights-test');
  return database;
}

describe('GET /api/portal/weights → catalog entries', () => {
  it('maps each GGUF blob to a stable portal entry carrying digest and completionOnly', async () => {
    vi.stubGlobal('fetch', sameOrigin(server.url));
    const models = await fetchPortalWeights();
    expect(models).toEqual([
      {
        id: 'portal:stories:latest',
        name: 'stories:latest',
        format: 'gguf',
        quantization: expect.stringMatching(/^[A-Z0-9_]+$/),
        sizeBytes: storiesBytes,
        memoryBytes: expect.any(Number),
        contextLength: expect.any(Number),
        // stories260K is a base model: the chat must send it plain completion prompts.
        completionOnly: true,
        source: {
          kind: 'url',
          url: `/v2/library/stories/blobs/sha256:${STORIES_SHA256}`,
          portal: 'stories:latest'
        },
        sha256: STORIES_SHA256,
        builtin: false
      }
    ]);
    expect(models[0].memoryBytes).toBeGreaterThan(storiesBytes);
    expect(isPortalModel(models[0])).toBe(true);
    // The same listing gives the same ids on every load.
    expect((await fetchPortalWeights()).map((m) => m.id)).toEqual(['portal:stories:latest']);
  });

  it('keeps a chat-capable model chat-capable and lowercases the digest', () => {
    const [model] = portalWeightsToCatalog([
      {
        format: 'gguf',
        name: 'team/qwen:0.5b',
        digest: 'AB'.repeat(32),
        size: 400e6,
        quantization: 'Q4_K_M',
        family: 'qwen2',
        parameter_size: '494M',
        context_length: null,
        completionOnly: false,
        embedding: false,
        url: '/v2/team/qwen/blobs/sha256:' + 'ab'.repeat(32)
      }
    ]);
    expect(model.id).toBe('portal:team/qwen:0.5b');
    expect(model.completionOnly).toBe(false);
    expect(model.sha256).toBe('ab'.repeat(32));
    expect(model).not.toHaveProperty('contextLength');
  });
});

describe('downloading a portal model', () => {
  it('resumes over Range from the portal and is ready only once the listed sha256 checks', async () => {
    freshDb();
    vi.stubGlobal('fetch', sameOrigin(server.url));
    const [model] = await fetchPortalWeights();
    await saveUserModel(model, database); // what the library does when the download starts

    const cutting = cuttingFetch(server.url, 300_000);
    const cut = await downloadModel(model, { database, fetch: cutting.fetch, chunkBytes: 65536 });
    expect(cut.status).toBe('partial');
    expect(cut.bytesStored).toBeGreaterThan(0);

    const done = await downloadModel((await getCatalogModel(model.id, database))!, {
      database,
      fetch: cutting.fetch,
      chunkBytes: 65536
    });
    expect(cutting.ranges).toEqual(['', `bytes=${cut.bytesStored}-`]);
    expect(done.status).toBe('ready');
    expect(done.sha256).toBe(STORIES_SHA256);
    const blob = await readModelBlob(model.id, database);
    expect(Buffer.from(await blob.arrayBuffer()).equals(await fs.readFile(STORIES))).toBe(true);
  });

  it('refuses the bytes when they do not match the listed digest', async () => {
    freshDb();
    vi.stubGlobal('fetch', sameOrigin(server.url));
    const [listed] = await fetchPortalWeights();
    const lying = { ...listed, sha256: '0'.repeat(64) };
    const state = await downloadModel(lying, { database, fetch: sameOrigin(server.url) });
    expect(state.status).toBe('error');
    expect(state.errorKey).toBe('sha256');
    await expect(readModelBlob(lying.id, database)).rejects.toThrow();
  });

  it('stays in the catalog, ready, when the portal is unreachable', async () => {
    freshDb();
    vi.stubGlobal('fetch', sameOrigin(server.url));
    const [listed] = await fetchPortalWeights();
    await saveUserModel(listed, database);
    await downloadModel(listed, { database, fetch: sameOrigin(server.url) });

    // Offline: no listing at all, only what this browser stored.
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(fetchPortalWeights()).rejects.toThrow();
    const offline = mergePortalCatalog(await listCatalog(database), []);
    const entry = offline.find((m) => m.id === 'portal:stories:latest');
    expect(entry && isPortalModel(entry)).toBe(true);
    // Verification refined the stored entry from the file itself; the digest stays.
    expect(entry?.sha256).toBe(STORIES_SHA256);
    expect(entry?.completionOnly).toBe(true);
    expect((await getModelState(listed.id, database))?.status).toBe('ready');
  });
});

describe('mergePortalCatalog', () => {
  const gguf = (id: string, sha256: string, extra: Partial<CatalogModel> = {}): CatalogModel => ({
    id,
    name: id,
    format: 'gguf',
    quantization: 'Q4_0',
    sizeBytes: 1,
    memoryBytes: 1,
    source: { kind: 'url', url: '/v2/x', portal: id.slice(7) },
    sha256,
    builtin: false,
    ...extra
  });

  it('keeps stored entries for the same bytes, takes the listing for new bytes, adds the rest', () => {
    const stored = [gguf('portal:a', 'aa', { contextLength: 256 }), gguf('portal:b', 'bb')];
    const listed = [gguf('portal:a', 'aa'), gguf('portal:b', 'b2'), gguf('portal:c', 'cc')];
    const merged = mergePortalCatalog(stored, listed);
    expect(merged.map((m) => [m.id, m.sha256])).toEqual([
      ['portal:a', 'aa'],
      ['portal:b', 'b2'],
      ['portal:c', 'cc']
    ]);
    expect(merged[0].contextLength).toBe(256); // the refined, stored entry
  });
});

describe('MLC records from a portal', () => {
  const record: MlcWeights = {
    format: 'mlc',
    name: 'Tiny-q4f16_1-MLC',
    size: 123_456_789,
    quantization: 'q4f16_1',
    context_length: 2048,
    model: 'http://10.0.0.5:11434/mlc/Tiny-q4f16_1-MLC',
    model_id: 'Tiny-q4f16_1-MLC',
    model_lib: 'http://10.0.0.5:11434/mlc/libs/Tiny-q4f16_1-webgpu.wasm',
    required_features: ['shader-f16']
  };

  it('becomes an MLC catalog entry whose web-llm record points at the portal', () => {
    const model = mlcWeightsToCatalog(record);
    expect(model).toMatchObject({
      id: 'portal-mlc:Tiny-q4f16_1-MLC',
      format: 'mlc',
      quantization: 'q4f16_1',
      sizeBytes: record.size,
      contextLength: 2048,
      needsShaderF16: true,
      builtin: false
    });
    expect(isPortalModel(model)).toBe(true);
    expect(portalMlcRecord(model)).toEqual({
      model: record.model,
      model_id: 'portal-mlc:Tiny-q4f16_1-MLC',
      model_lib: record.model_lib,
      required_features: ['shader-f16'],
      overrides: { context_window_size: 2048 }
    });
  });

  it('adds the portal record to web-llm’s prebuilt list, which web-llm then resolves', async () => {
    const model = mlcWeightsToCatalog(record);
    const config = mlcAppConfig(prebuiltAppConfig, [model]);
    expect(config.cacheBackend).toBe('indexeddb');
    expect(config.model_list.length).toBe(prebuiltAppConfig.model_list.length + 1);
    expect(config.model_list.at(-1)).toEqual(portalMlcRecord(model));
    // Prebuilt and GGUF models add nothing.
    const prebuilt = mlcAppConfig(prebuiltAppConfig, [
      { ...model, source: { kind: 'mlc-prebuilt' } }
    ]);
    expect(prebuilt.model_list.length).toBe(prebuiltAppConfig.model_list.length);

    // web-llm finds the record by id (and looks in its cache, empty here) …
    await expect(hasModelInCache(model.id, config as AppConfig)).resolves.toBe(false);
    // … whereas without it the id is unknown to web-llm.
    await expect(
      hasModelInCache(model.id, { ...prebuiltAppConfig, cacheBackend: 'indexeddb' })
    ).rejects.toThrow();
  });

  it('is served by a real portal with HEARTH_MLC_DIR, URLs included', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-mlc-unit-'));
    const id = 'Tiny-q4f32_1-MLC';
    await fs.mkdir(path.join(root, id), { recursive: true });
    await fs.mkdir(path.join(root, 'libs'));
    await fs.writeFile(
      path.join(root, id, 'mlc-chat-config.json'),
      JSON.stringify({ quantization: 'q4f32_1', context_window_size: 1024 })
    );
    await fs.writeFile(
      path.join(root, 'libs', `${id}-webgpu.wasm`),
      Buffer.from([0, 97, 115, 109])
    );
    const mlcServer = await startPortal({ mlcDir: root });
    try {
      vi.stubGlobal('fetch', sameOrigin(mlcServer.url));
      const models = await fetchPortalWeights();
      const mlc = models.find((m) => m.format === 'mlc')!;
      expect(mlc.id).toBe(`portal-mlc:${id}`);
      expect(mlc.needsShaderF16).toBe(false);
      const rec = portalMlcRecord(mlc)!;
      expect(rec.model).toBe(`${mlcServer.url}/mlc/${id}`);
      expect(rec.model_lib).toBe(`${mlcServer.url}/mlc/libs/${id}-webgpu.wasm`);
    } finally {
      await mlcServer.close();
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
