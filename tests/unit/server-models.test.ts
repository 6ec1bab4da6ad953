/**
 * Models that run on the Hearth server, seen from the browser app: /api/tags → catalog
 * entries, the engine choice and fit for them, the chat picker's groups, and chatting
 * through the runtime's RemoteEngine with the session cookie + X-CSRF-Token against a
 * real server with sign-in on (real stories260K answers), plus a header-level boundary
 * test on a bare node:http server.
 */
import 'fake-indexeddb/auto';
import fs from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import {
  fetchServerModels,
  isServerModel,
  serverModelToCatalog
} from '../../src/lib/portal/server-models';
import { setCsrfToken } from '../../src/lib/portal/client';
import { RemoteEngine } from '../../src/lib/engines/remote';
import { ApiError } from '#protocol/client';
import { chooseEngine } from '../../src/lib/engines/select';
import {
  boundedOnServer,
  defaultRuntimeDeps,
  EngineRuntime,
  type RuntimeDeps
} from '../../src/lib/engines/runtime.svelte';
import { fitVerdict } from '../../src/lib/models/fit';
import { modelLabel, pickerFit, pickerGroups, runnableModels } from '../../src/lib/chat/models';
import type { DeviceProbe } from '../../src/lib/device/types';
import type { CatalogModel } from '../../src/lib/models/types';
import type { ChatResponse } from '#protocol/ollama/types';
import { listenOnLoopback } from '../server/fixtures';
import { listenLocal, type LocalServer } from './helpers/http';
import { STORIES, STORIES_DIGEST } from './helpers/models';

const realFetch = globalThis.fetch.bind(globalThis);

const probe: DeviceProbe = {
  webgpu: { available: false, reason: 'no adapter' },
  deviceMemoryGiB: 1,
  cores: 2,
  crossOriginIsolated: false,
  storage: { quota: 1, usage: 1, persisted: false },
  // A device that can run nothing locally: server models must not care.
  wasmMemory64: false,
  wasmSimd: false
};

/** A real Hearth server with sign-in on, an admin signed in, and stories260K as "stories". */
interface SignedInPortal {
  url: string;
  cookie: string;
  csrfToken: string;
  close(): Promise<void>;
}

async function startSignedInPortal(): Promise<SignedInPortal> {
  const dirs = await Promise.all(
    ['models', 'data'].map((d) => fs.mkdtemp(path.join(os.tmpdir(), `hearth-srv-${d}-`)))
  );
  const config = loadConfig({
    HEARTH_MODELS: dirs[0],
    HEARTH_DATA: dirs[1],
    HEARTH_AUTH: 'on',
    HEARTH_THREADS: '1'
  });
  const { app } = await buildApp(config);
  const { url } = await listenOnLoopback(app);
  const setup = await realFetch(`${url}/api/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'correct horse battery' })
  });
  if (!setup.ok) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
  const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await setup.json()) as { csrfToken: string };
  const auth = { cookie, 'x-csrf-token': csrfToken };
  const digest = STORIES_DIGEST;
  const blob = await realFetch(`${url}/api/blobs/${digest}`, {
    method: 'POST',
    headers: auth,
    body: await fs.readFile(STORIES)
  });
  if (!blob.ok) throw new Error(`blob upload failed: ${blob.status} ${await blob.text()}`);
  const created = await realFetch(`${url}/api/create`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stories', files: { 'model.gguf': digest }, stream: false })
  });
  if (!created.ok) throw new Error(`create failed: ${created.status} ${await created.text()}`);
  return {
    url,
    cookie,
    csrfToken,
    async close() {
      await app.close();
      await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
    }
  };
}

/**
 * The browser's same-origin fetch: relative paths go to the portal and carry its session
 * cookie (which page scripts cannot set themselves — the browser adds it).
 */
function browserFetch(portal: SignedInPortal): typeof fetch {
  return (input, init) => {
    const target = typeof input === 'string' && input.startsWith('/') ? portal.url + input : input;
    const headers = new Headers(init?.headers);
    headers.set('cookie', portal.cookie);
    return realFetch(target, { ...init, headers });
  };
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

const text = (chunks: ChatResponse[]) => chunks.map((c) => c.message.content).join('');

describe('server models against a real portal with sign-in on', () => {
  let portal: SignedInPortal;
  beforeAll(async () => {
    portal = await startSignedInPortal();
  });
  afterAll(() => portal.close());
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  it('lists /api/tags as server entries that need nothing from this device', async () => {
    vi.stubGlobal('fetch', browserFetch(portal));
    const [model, ...rest] = await fetchServerModels();
    expect(rest).toEqual([]);
    expect(model).toEqual({
      id: 'server:stories:latest',
      name: 'stories:latest',
      format: 'gguf',
      quantization: expect.stringMatching(/^[A-Z0-9_]+$/),
      // The manifest's layers in all: the GGUF plus its config.
      sizeBytes: expect.any(Number),
      memoryBytes: 0,
      source: { kind: 'server', name: 'stories:latest' },
      builtin: false
    });
    expect(model.sizeBytes).toBeGreaterThanOrEqual((await fs.stat(STORIES)).size);
    expect(isServerModel(model)).toBe(true);
    expect(chooseEngine(model, probe, 'wasm')).toMatchObject({ kind: 'remote', key: 'server' });
    expect(fitVerdict(model, probe, 'wasm')).toMatchObject({
      verdict: 'fits',
      key: 'runsOnServer'
    });
  });

  it('chats through engineRuntime on the server: CSRF header sent, no fit check, Server stats', async () => {
    vi.stubGlobal('fetch', browserFetch(portal));
    const [model] = await fetchServerModels();
    setCsrfToken(portal.csrfToken); // what portalSession.check() does after sign-in
    const created: string[] = [];
    const deps: RuntimeDeps = {
      probe: async () => probe,
      fit: async () => {
        throw new Error('a server model must not be fit-checked');
      },
      createEngine: async (kind, options) => {
        created.push(kind);
        return defaultRuntimeDeps.createEngine(kind, options);
      },
      readSetting: async () => undefined,
      writeSetting: async () => undefined
    };
    const runtime = new EngineRuntime(deps);
    const chunks = await collect(
      runtime.chat(model, {
        model: model.id,
        messages: [{ role: 'user', content: 'Once upon a time' }],
        options: { temperature: 0, num_predict: 16, seed: 1 }
      })
    );
    expect(created).toEqual(['remote']);
    expect(runtime).toMatchObject({ kind: 'remote', status: 'ready', reasonKey: 'server' });
    expect(runtime.reason).toBe('Runs on the Hearth server');
    // The server's greedy continuation of stories260K.
    expect(text(chunks)).toMatch(/^, there was a little girl named Lily/);
    const final = chunks.at(-1)!;
    expect(final.done).toBe(true);
    expect(final.model).toBe('stories:latest'); // the server's own name for it
    expect(final.eval_count).toBeGreaterThan(0);
    expect(final.eval_duration).toBeGreaterThan(0);
  });

  it('stops a server answer after one context of tokens unless the user set a limit', async () => {
    vi.stubGlobal('fetch', browserFetch(portal));
    const [model] = await fetchServerModels();
    setCsrfToken(portal.csrfToken);
    const runtime = new EngineRuntime({
      ...defaultRuntimeDeps,
      probe: async () => probe,
      readSetting: async () => undefined,
      writeSetting: async () => undefined
    });
    // stories260K never ends a story: unbounded, the server would stream for ever.
    const chunks = await collect(
      runtime.chat(model, {
        model: model.id,
        messages: [{ role: 'user', content: 'Once upon a time' }],
        options: { temperature: 0, num_ctx: 128 }
      })
    );
    expect(chunks.at(-1)).toMatchObject({ done: true, done_reason: 'length', eval_count: 128 });
    expect(boundedOnServer(undefined)).toEqual({ num_predict: 4096 });
    expect(boundedOnServer({ num_predict: -1 })).toEqual({ num_predict: -1 });
  });

  it('is refused by the server without the CSRF token (the cookie alone is not enough)', async () => {
    vi.stubGlobal('fetch', browserFetch(portal));
    const [model] = await fetchServerModels();
    setCsrfToken(null);
    const engine = await defaultRuntimeDeps.createEngine('remote', { threads: null });
    const error = await engine.load(model, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
    expect((error as ApiError).message).toMatch(/CSRF/);
  });
});

describe('RemoteEngine headers (boundary)', () => {
  const seen: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
  let server: LocalServer;
  let base: string;
  beforeAll(async () => {
    server = await listenLocal((req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        if (req.url === '/api/show') return void res.end('{}');
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(
          JSON.stringify({
            model: 'm',
            created_at: 't',
            message: { role: 'assistant', content: 'ok' },
            done: true,
            eval_count: 1,
            eval_duration: 1000
          }) + '\n'
        );
      });
    });
    base = server.url;
  });
  afterAll(() => server.close());

  it('sends the provider’s headers on every POST, read at send time', async () => {
    let token = 'first-token';
    const engine = new RemoteEngine({ baseUrl: base, headers: () => ({ 'X-CSRF-Token': token }) });
    const model = { ...serverModelToCatalogFixture(), id: 'server:m' };
    await engine.load(model, () => {});
    token = 'second-token';
    await collect(engine.chat({ model: model.id, messages: [{ role: 'user', content: 'hi' }] }));
    expect(seen.map((s) => [s.path, s.headers['x-csrf-token']])).toEqual([
      ['/api/show', 'first-token'],
      ['/api/chat', 'second-token']
    ]);
    // The body stays JSON whatever the provider returns.
    expect(seen.every((s) => s.headers['content-type'] === 'application/json')).toBe(true);
  });
});

function serverModelToCatalogFixture(): CatalogModel {
  return serverModelToCatalog({
    name: 'm',
    model: 'm',
    modified_at: '',
    size: 1,
    digest: 'sha256:' + '0'.repeat(64),
    details: {
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: null,
      parameter_size: '1M',
      quantization_level: 'Q8_0'
    }
  });
}

describe('chat picker groups', () => {
  const server = serverModelToCatalogFixture();
  const local: CatalogModel = {
    id: 'portal:stories:latest',
    name: 'stories:latest',
    format: 'gguf',
    quantization: 'F32',
    sizeBytes: 1e6,
    memoryBytes: 7e7,
    source: { kind: 'url', url: '/v2/x', portal: 'stories:latest' },
    builtin: false
  };
  const gpuProbe: DeviceProbe = { ...probe, wasmMemory64: true, deviceMemoryGiB: 8 };

  it('offers server models first, then only verified downloads', () => {
    const entries = [
      {
        model: local,
        state: {
          id: local.id,
          status: 'ready' as const,
          bytesStored: 1,
          totalBytes: 1,
          updatedAt: 0
        }
      },
      { model: { ...local, id: 'gguf:partial' }, state: undefined }
    ];
    const models = runnableModels(entries, [server]);
    expect(models.map((m) => m.id)).toEqual(['server:m', 'portal:stories:latest']);
    expect(pickerGroups(models)).toEqual({ server: [server], browser: [local] });
  });

  it('labels each option with format, engine and fit', () => {
    expect(modelLabel(server, { fit: 'fits — runs on the server' })).toBe(
      'm · GGUF Q8_0 · Server · fits — runs on the server'
    );
    expect(modelLabel(local)).toBe('stories:latest · GGUF F32 · WASM');
    expect(pickerFit(server, null)).toBe('fits');
    expect(pickerFit(local, null)).toBeNull();
    expect(pickerFit(local, gpuProbe)).toBe('fits');
    expect(pickerFit(local, { ...gpuProbe, wasmMemory64: false })).toBe('does-not-fit');
  });
});
