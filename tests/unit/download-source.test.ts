/**
 * Built-in downloads through the chosen model source, against a real HTTP server standing
 * in for a Hugging Face mirror (/hf/…) and a LAN folder (/lan/…): the URL is derived at
 * download time while the entry keeps its canonical one, a partial download resumes from
 * the same source or a new one, and a source with other bytes under the name never
 * passes verification — neither the catalog's digest, when it has one, nor the one the
 * hub declares in its tree API (lfs.oid), read when the download starts.
 */
import 'fake-indexeddb/auto';
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadModel } from '../../src/lib/downloads/download';
import { setUserModelSource } from '../../src/lib/models/source-prefs';
import type { CatalogModel } from '../../src/lib/models/types';
import type { ModelSourceSetting } from '../../src/lib/protocol/portal/model-source';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';
import { listenLocal, type LocalServer } from './helpers/http';
import { STORIES, STORIES_SHA256 } from './helpers/models';

const CHUNK = 64 * 1024;
const full = fs.readFileSync(STORIES);
const FILE = 'stories-q8_0.gguf';
const CANONICAL = `https://huggingface.co/karpathy/tinyllamas-GGUF/resolve/main/${FILE}`;

let server: LocalServer;
let requests: Array<{ path: string; range?: string }> = [];
let cutAfter: number | null = null;
/** What the LAN folder holds under FILE: the same bytes, or another file. */
let lanBytes: Buffer = full;
/** Answer ranges as "bytes a-b/*", as some proxies do. */
let hideTotal = false;
/** End the next body cleanly after this many bytes (no length was promised). */
let endAfter: number | null = null;
/** The sha256 the mirror's tree API declares for FILE; null: the API answers 404. */
let declared: string | null = null;
const TREE = '/hf/api/models/karpathy/tinyllamas-GGUF/tree/main';

beforeAll(async () => {
  server = await listenLocal((req, res) => {
    const path = req.url!;
    requests.push({ path, range: req.headers.range });
    if (path === TREE) {
      if (declared === null) return void res.writeHead(404).end();
      const entry = { type: 'file', path: FILE, size: full.length, lfs: { oid: declared } };
      const other = { type: 'file', path: 'README.md', size: 10 };
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify([other, entry]));
    }
    const data = path === `/lan/${FILE}` ? lanBytes : path.startsWith('/hf/') ? full : null;
    if (!data || !path.endsWith(`/${FILE}`)) return void res.writeHead(404).end();
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    if (m)
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${data.length - 1}/${hideTotal ? '*' : data.length}`,
        ...(hideTotal ? {} : { 'Content-Length': data.length - start })
      });
    else res.writeHead(200, { 'Content-Length': data.length });
    const slice = data.subarray(start);
    if (endAfter !== null) {
      const keep = endAfter;
      endAfter = null;
      return void res.end(slice.subarray(0, keep));
    }
    if (cutAfter !== null) {
      const keep = cutAfter;
      cutAfter = null;
      res.write(slice.subarray(0, keep), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(slice);
  });
});
afterAll(() => server.close());

let database: HearthDB;
beforeEach(() => {
  database = freshDatabase('download-source');
  requests = [];
  cutAfter = null;
  lanBytes = full;
  hideTotal = false;
  endAfter = null;
  declared = null;
});

const mirror = (): ModelSourceSetting => ({ kind: 'hf-mirror', url: `${server.url}/hf` });
const lan = (): ModelSourceSetting => ({ kind: 'lan', url: `${server.url}/lan` });

function builtin(extra: Partial<CatalogModel> = {}): CatalogModel {
  return {
    id: 'gguf:stories-builtin',
    name: 'Stories',
    format: 'gguf',
    quantization: 'F32',
    sizeBytes: full.length,
    sizeEstimated: true,
    memoryBytes: 0,
    source: { kind: 'url', url: CANONICAL },
    builtin: true,
    ...extra
  };
}

describe('downloads through the chosen source', () => {
  it('fetch the mirror’s URL for the same path and end verified', async () => {
    const model = builtin();
    const state = await downloadModel(model, { database, chunkBytes: CHUNK, source: mirror() });
    expect(requests.map((r) => r.path)).toEqual([
      TREE,
      `/hf/karpathy/tinyllamas-GGUF/resolve/main/${FILE}`
    ]);
    expect(state.status).toBe('ready');
    expect(state.sha256).toBe(STORIES_SHA256);
    // The entry keeps its canonical URL: the source is applied, never stored in it.
    expect(model.source).toEqual({ kind: 'url', url: CANONICAL });
  });

  it('follow the source stored in the settings when none is passed', async () => {
    await setUserModelSource(lan(), database);
    const state = await downloadModel(builtin(), { database, chunkBytes: CHUNK });
    expect(requests.map((r) => r.path)).toEqual([`/lan/${FILE}`]);
    expect(state.status).toBe('ready');
  });

  it('resume from the same source with a Range request', async () => {
    cutAfter = 300_000;
    const cut = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: lan() });
    expect(cut.status).toBe('partial');
    const done = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: lan() });
    expect(requests.at(-1)).toEqual({ path: `/lan/${FILE}`, range: `bytes=${cut.bytesStored}-` });
    expect(done.status).toBe('ready');
    expect(done.sha256).toBe(STORIES_SHA256);
  });

  it('resume from a new source where the first stopped, held to the size announced first', async () => {
    cutAfter = 300_000;
    const cut = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: mirror() });
    expect(cut.totalBytes).toBe(full.length);
    hideTotal = true;
    const done = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: lan() });
    expect(requests.at(-1)).toEqual({ path: `/lan/${FILE}`, range: `bytes=${cut.bytesStored}-` });
    expect(done.status).toBe('ready');
    expect(done.totalBytes).toBe(full.length);
    expect(done.sha256).toBe(STORIES_SHA256);
  });

  it('keep a resumable partial when a source that hides the total stops short of it', async () => {
    cutAfter = 300_000;
    const cut = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: mirror() });
    hideTotal = true;
    endAfter = 200_000;
    const short = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: lan() });
    expect(short.status).toBe('partial');
    expect(short.errorKey).toBe('interrupted');
    expect(short.bytesStored).toBe(cut.bytesStored + 200_000);
    expect(short.totalBytes).toBe(full.length);
    const done = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: lan() });
    expect(done.status).toBe('ready');
    expect(done.sha256).toBe(STORIES_SHA256);
  });

  it('never splice two files: another size under the name starts over, then is verified alone', async () => {
    cutAfter = 300_000;
    const cut = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: mirror() });
    expect(cut.status).toBe('partial');
    lanBytes = full.subarray(0, 700_000); // a broken copy on the LAN
    const state = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: lan() });
    // The Range answer's total differs from the first one: byte 0 again, from the LAN.
    expect(requests.slice(-2)).toEqual([
      { path: `/lan/${FILE}`, range: `bytes=${cut.bytesStored}-` },
      { path: `/lan/${FILE}`, range: undefined }
    ]);
    expect(state.status).toBe('error');
    expect(state.errorKey).toBe('ggufTruncated');
    expect(state.bytesStored).toBe(0);
  });

  it('refuse other bytes than the catalog’s digest, whichever source sent them', async () => {
    const model = builtin({ sha256: STORIES_SHA256 });
    const other = Buffer.from(full);
    other[other.length - 1] ^= 0xff;
    lanBytes = other;
    const state = await downloadModel(model, { database, chunkBytes: CHUNK, source: lan() });
    expect(state.status).toBe('error');
    expect(state.errorKey).toBe('sha256');
    expect(state.error).toContain(STORIES_SHA256);
  });

  it('hold the bytes to the sha256 the hub declares, kept across a resume', async () => {
    declared = STORIES_SHA256;
    const ok = await downloadModel(builtin(), { database, chunkBytes: CHUNK, source: mirror() });
    expect(ok.status).toBe('ready');
    expect(ok.declaredSha256).toBe(STORIES_SHA256);

    // The mirror now declares another digest than the bytes it serves.
    const other = builtin({ id: 'gguf:stories-other' });
    declared = 'ab'.repeat(32);
    cutAfter = 300_000;
    const cut = await downloadModel(other, { database, chunkBytes: CHUNK, source: mirror() });
    expect(cut.status).toBe('partial');
    declared = STORIES_SHA256; // not asked again: the first answer holds
    const state = await downloadModel(other, { database, chunkBytes: CHUNK, source: mirror() });
    expect(requests.filter((r) => r.path === TREE)).toHaveLength(2);
    expect(state.status).toBe('error');
    expect(state.errorKey).toBe('sha256');
    expect(state.error).toContain('ab'.repeat(32));
  });

  it('go on without a declared digest when the hub cannot say (404, LAN folder)', async () => {
    const viaMirror = await downloadModel(builtin(), { database, source: mirror() });
    expect(viaMirror.status).toBe('ready');
    expect(viaMirror.declaredSha256).toBeUndefined();
    const viaLan = await downloadModel(builtin({ id: 'gguf:lan' }), { database, source: lan() });
    expect(viaLan.status).toBe('ready');
    expect(requests.filter((r) => r.path.startsWith('/lan/api'))).toHaveLength(0);
  });

  it('name the LAN URL when the file is not in the folder', async () => {
    const model = builtin({ source: { kind: 'url', url: CANONICAL.replace(FILE, 'absent.gguf') } });
    const state = await downloadModel(model, { database, source: lan() });
    expect(state.status).toBe('error');
    expect(state.error).toContain(`${server.url}/lan/absent.gguf`);
  });
});
