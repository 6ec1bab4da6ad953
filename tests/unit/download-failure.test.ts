/**
 * Download failures named by cause: HTTP statuses from a real server, an unreachable port,
 * offline, a host that answers without CORS, a full disk — and a download that stored no
 * bytes is an error to retry, never a 0-byte "partial" to resume. Node's fetch does not
 * enforce CORS, so that case hands downloadModel a fetch that refuses CORS requests the way
 * a browser does while the opaque probe goes to the real server.
 */
import 'fake-indexeddb/auto';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import en from '../../src/lib/i18n/en/models.json';
import zh from '../../src/lib/i18n/zh-CN/models.json';
import { downloadModel } from '../../src/lib/downloads/download';
import { formatBytes } from '../../src/lib/util/format';
import {
  classifyFetchError,
  classifyStatus,
  failureInfo,
  type DownloadFailure
} from '../../src/lib/downloads/failure';
import type { CatalogModel } from '../../src/lib/models/types';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';
import { listenLocal, type LocalServer } from './helpers/http';
import { STORIES } from './helpers/models';

const full = fs.readFileSync(STORIES);
let server: LocalServer;
let requests: Array<{ path: string; method: string; range?: string }> = [];
/** A port where nothing listens: a server that was started and closed again. */
let closedUrl: string;

beforeAll(async () => {
  server = await listenLocal((req, res) => {
    const name = req.url!.slice(1);
    requests.push({ path: name, method: req.method!, range: req.headers.range });
    if (name === 'private.gguf') return void res.writeHead(403, 'Forbidden').end();
    if (name === 'login.gguf') return void res.writeHead(401, 'Unauthorized').end();
    if (name === 'broken.gguf') return void res.writeHead(503, 'Service Unavailable').end();
    if (name === 'empty-cut.gguf') {
      // Headers promise the whole file, then the connection drops before any byte.
      res.writeHead(200, { 'Content-Length': full.length });
      res.flushHeaders();
      return void setTimeout(() => res.destroy(), 20);
    }
    if (name !== 'stories.gguf') return void res.writeHead(404, 'Not Found').end();
    res.writeHead(200, { 'Content-Length': full.length });
    res.end(req.method === 'HEAD' ? undefined : full);
  });
  const gone = await listenLocal((_req, res) => res.end());
  closedUrl = gone.url;
  await gone.close();
});
afterAll(() => server.close());

let database: HearthDB;
beforeEach(() => {
  database = freshDatabase('download-failure');
  requests = [];
});
afterEach(() => vi.unstubAllGlobals());

function entry(url: string, extra: Partial<CatalogModel> = {}): CatalogModel {
  return {
    id: `gguf:${url.split('/').pop()}`,
    name: 'test',
    format: 'gguf',
    quantization: '?',
    sizeBytes: 0,
    memoryBytes: 0,
    source: { kind: 'url', url },
    builtin: false,
    ...extra
  };
}

/** Behaves like a browser towards a host without CORS headers: only no-cors gets through. */
const corsRefusingFetch: typeof fetch = async (input, init) => {
  if (init?.mode !== 'no-cors') throw new TypeError('Failed to fetch');
  return fetch(input, init);
};

describe('HTTP statuses', () => {
  it('maps 404/410, 401/403 and the rest to their own kinds', () => {
    expect(classifyStatus('u', 404).kind).toBe('notFound');
    expect(classifyStatus('u', 410).kind).toBe('notFound');
    expect(classifyStatus('u', 401).kind).toBe('denied');
    expect(classifyStatus('u', 403).kind).toBe('denied');
    expect(classifyStatus('u', 500, 'Internal Server Error')).toEqual({
      kind: 'http',
      url: 'u',
      status: 500,
      statusText: 'Internal Server Error'
    });
  });

  it('a 404 from a real server is "not found at URL", an error to retry', async () => {
    const url = `${server.url}/missing.gguf`;
    const state = await downloadModel(entry(url), { database });
    expect(state).toMatchObject({ status: 'error', bytesStored: 0, errorKey: 'notFound' });
    expect(state.errorParams).toEqual({ url, status: 404 });
  });

  it('401 and 403 say access was refused', async () => {
    for (const name of ['private.gguf', 'login.gguf']) {
      const state = await downloadModel(entry(`${server.url}/${name}`), { database });
      expect(state.errorKey, name).toBe('denied');
      expect(state.status).toBe('error');
    }
  });

  it('other statuses carry their status text', async () => {
    const state = await downloadModel(entry(`${server.url}/broken.gguf`), { database });
    expect(state.errorKey).toBe('http');
    expect(state.errorParams?.status).toBe('503 Service Unavailable');
  });
});

describe('requests that never get an answer the page may read', () => {
  it('a port where nothing listens is "cannot reach HOST", not a 0-byte partial', async () => {
    const url = `${closedUrl}/m.gguf`;
    const state = await downloadModel(entry(url), { database });
    expect(state).toMatchObject({ status: 'error', bytesStored: 0, errorKey: 'unreachable' });
    expect(state.errorParams?.host).toBe(new URL(closedUrl).host);
  });

  it('offline is said as such, without probing the network', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const probe = vi.fn(corsRefusingFetch);
    const state = await downloadModel(entry(`${server.url}/stories.gguf`), {
      database,
      fetch: probe
    });
    expect(state).toMatchObject({ status: 'error', bytesStored: 0, errorKey: 'offline' });
    expect(probe).toHaveBeenCalledTimes(1); // the download itself, no probe
  });

  it('a host that answers an opaque request but refuses CORS is a CORS failure', async () => {
    const state = await downloadModel(entry(`${server.url}/stories.gguf`), {
      database,
      fetch: corsRefusingFetch
    });
    expect(state).toMatchObject({ status: 'error', bytesStored: 0, errorKey: 'cors' });
    expect(state.errorParams?.host).toBe(new URL(server.url).host);
    // The probe is one HEAD: it never pulls the model's bytes.
    expect(requests).toEqual([{ path: 'stories.gguf', method: 'HEAD', range: undefined }]);
  });

  it('classifies from what it is given: offline first, then mixed content, then the probe', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const kind = async (url: string, env: Partial<Parameters<typeof classifyFetchError>[1]>) =>
      (await classifyFetchError(url, { fetch: failing, ...env })).kind;
    expect(await kind('http://a.test/m', { online: () => false })).toBe('offline');
    expect(await kind('http://a.test/m', { pageOrigin: 'https://hearth.test' })).toBe(
      'mixedContent'
    );
    expect(await kind('https://a.test/m', { pageOrigin: 'https://hearth.test' })).toBe(
      'unreachable'
    );
    expect(await kind(`${server.url}/m`, { fetch: corsRefusingFetch })).toBe('cors');
    // CORS never applies to the page's own origin: a failure there was the connection.
    expect(
      await kind(`${server.url}/m`, { fetch: corsRefusingFetch, pageOrigin: server.url })
    ).toBe('network');
  });

  it('a probe that hangs counts as unreachable after its timeout', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('', 'AbortError')))
      );
    const failure = await classifyFetchError('http://slow.test/m', {
      fetch: hang,
      probeTimeoutMs: 50
    });
    expect(failure).toEqual({ kind: 'unreachable', host: 'slow.test' });
  });
});

describe('nothing stored means nothing to resume', () => {
  it('a connection dropped before the first byte is an error, not a 0-byte partial', async () => {
    const state = await downloadModel(entry(`${server.url}/empty-cut.gguf`), { database });
    expect(state.status).toBe('error');
    expect(state.bytesStored).toBe(0);
  });

  it('a failed resume keeps the stored bytes as a partial', async () => {
    const model = entry(`${closedUrl}/m.gguf`);
    await database.modelStates.put({
      id: model.id,
      status: 'partial',
      bytesStored: 1000,
      totalBytes: full.length,
      updatedAt: 0
    });
    const state = await downloadModel(model, { database });
    expect(state).toMatchObject({ status: 'partial', bytesStored: 1000, errorKey: 'unreachable' });
  });

  it('refuses before any request when the catalog size does not fit the free space', async () => {
    vi.stubGlobal('navigator', {
      onLine: true,
      storage: { estimate: async () => ({ quota: 1_000_000, usage: 900_000 }) }
    });
    const state = await downloadModel(
      entry(`${server.url}/stories.gguf`, { sizeBytes: full.length }),
      { database }
    );
    expect(state).toMatchObject({ status: 'error', errorKey: 'quota' });
    expect(state.errorParams?.free).toBe(formatBytes(100_000));
    expect(requests).toEqual([]);
  });
});

describe('wording lives in the catalogs', () => {
  const samples: DownloadFailure[] = [
    { kind: 'offline', host: 'h' },
    { kind: 'unreachable', host: 'h' },
    { kind: 'network', host: 'h' },
    { kind: 'cors', host: 'h', origin: 'http://app' },
    { kind: 'mixedContent', url: 'http://h/m' },
    { kind: 'notFound', url: 'http://h/m', status: 404 },
    { kind: 'denied', url: 'http://h/m', status: 403 },
    { kind: 'http', url: 'http://h/m', status: 500, statusText: 'Internal Server Error' }
  ];
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('every kind has an English and a Chinese message using only the values it stores', () => {
    const catalogs = [en.errors, zh.errors] as Array<Record<string, string>>;
    for (const f of samples) {
      const info = failureInfo(f);
      expect(info.errorKey).toBe(f.kind);
      const allowed = [...Object.keys(info.errorParams), 'action'];
      for (const catalog of catalogs) {
        const text = catalog[f.kind];
        expect(text, f.kind).toBeTruthy();
        for (const name of placeholders(text))
          expect(allowed, `${f.kind}: {${name}}`).toContain(name);
      }
      expect(placeholders(en.errors[f.kind as keyof typeof en.errors])).toEqual(
        placeholders(zh.errors[f.kind as keyof typeof zh.errors])
      );
    }
  });

  it('the CORS message names the headers a mirror must send', () => {
    for (const header of [
      'Access-Control-Allow-Origin',
      'Access-Control-Expose-Headers',
      'Content-Range',
      'Range'
    ]) {
      expect(en.errors.cors).toContain(header);
      expect(zh.errors.cors).toContain(header);
    }
  });
});
