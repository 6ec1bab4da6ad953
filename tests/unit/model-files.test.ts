/**
 * The GGUF weights store end to end against a real HTTP server: chunked download, a
 * connection cut mid-body, resume with Range, sha256 + GGUF verification, and the ways a
 * download goes wrong (truncated, HTML, wrong digest, full disk, Range ignored).
 */
import 'fake-indexeddb/auto';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatBytes } from '../../src/lib/util/format';
import type { HearthDB } from '../../src/lib/store/db';
import {
  deleteModelFiles,
  getModelState,
  ModelNotStoredError,
  readModelBlob,
  storageUsed
} from '../../src/lib/store/model-files';
import { downloadModel } from '../../src/lib/downloads/download';
import { addModelFromUrl, importModelFile } from '../../src/lib/downloads/add-model';
import { getCatalogModel } from '../../src/lib/models/catalog';
import type { CatalogModel } from '../../src/lib/models/types';
import { freshDatabase } from './helpers/db';
import { listenLocal, type LocalServer } from './helpers/http';
import { STORIES, STORIES_SHA256 } from './helpers/models';

const CHUNK = 64 * 1024;
const full = fs.readFileSync(STORIES);

interface Request {
  path: string;
  range?: string;
}
let server: LocalServer;
let base: string;
let requests: Request[] = [];
/** Cut the next response after this many body bytes. */
let cutAfter: number | null = null;
let ignoreRange = false;

function bodyFor(name: string): Buffer | null {
  if (name === 'stories.gguf') return full;
  if (name === 'truncated.gguf') return full.subarray(0, 600_000);
  if (name === 'page.gguf') return Buffer.from('<!doctype html><html><body>Sign in</body></html>');
  return null;
}

beforeAll(async () => {
  server = await listenLocal((req, res) => {
    const name = req.url!.slice(1);
    requests.push({ path: name, range: req.headers.range });
    const data = bodyFor(name);
    if (!data) return void res.writeHead(404, 'Not Found').end();
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && !ignoreRange ? Number(m[1]) : 0;
    if (m && !ignoreRange) {
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
        'Content-Length': data.length - start
      });
    } else {
      res.writeHead(200, { 'Content-Length': data.length });
    }
    const slice = data.subarray(start);
    if (cutAfter !== null) {
      const keep = cutAfter;
      cutAfter = null;
      res.write(slice.subarray(0, keep), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(slice);
  });
  base = server.url;
});
afterAll(() => server.close());

let database: HearthDB;
beforeEach(() => {
  database = freshDatabase('model-files-test');
  requests = [];
  cutAfter = null;
  ignoreRange = false;
});

function entry(file: string, extra: Partial<CatalogModel> = {}): CatalogModel {
  return {
    id: `gguf:${file}`,
    name: file,
    format: 'gguf',
    quantization: '?',
    sizeBytes: 0,
    memoryBytes: 0,
    source: { kind: 'url', url: `${base}/${file}` },
    builtin: false,
    ...extra
  };
}

async function chunkRows(id: string) {
  return database.modelChunks.where('modelId').equals(id).count();
}

describe('download, cut, resume, verify', () => {
  it('resumes a download cut halfway with a Range request and ends ready with the sha256', async () => {
    const model = await addModelFromUrl(`${base}/stories.gguf`, 'Stories', database);
    expect(model.id).toBe('gguf:stories');
    cutAfter = 400_000;
    const cut = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(cut.status).toBe('partial');
    expect(cut.errorKey).toBe('interrupted');
    // Everything that arrived is kept: full chunks plus the tail as one short chunk.
    expect(cut.bytesStored).toBeGreaterThan(0);
    expect(cut.bytesStored).toBeLessThanOrEqual(400_000);
    expect(cut.totalBytes).toBe(full.length);
    await expect(readModelBlob(model.id, database)).rejects.toBeInstanceOf(ModelNotStoredError);

    // As after a reload: nothing in memory, only what IndexedDB holds.
    const stored = await getModelState(model.id, database);
    expect(stored?.bytesStored).toBe(cut.bytesStored);
    const progress: number[] = [];
    const resumed = await downloadModel((await getCatalogModel(model.id, database))!, {
      database,
      chunkBytes: CHUNK,
      onProgress: (p) => progress.push(p.bytes)
    });
    expect(requests.at(-1)?.range).toBe(`bytes=${cut.bytesStored}-`);
    expect(resumed.status).toBe('ready');
    expect(resumed.sha256).toBe(STORIES_SHA256);
    expect(resumed.bytesStored).toBe(full.length);
    expect(progress.at(-1)).toBe(full.length);

    const blob = await readModelBlob(model.id, database);
    expect(Buffer.from(await blob.arrayBuffer()).equals(full)).toBe(true);
    expect(await storageUsed(database)).toBe(full.length);

    // Verification taught the user entry what only the file knows.
    const refined = await getCatalogModel(model.id, database);
    expect(refined?.quantization).toBe('F32');
    expect(refined?.completionOnly).toBe(true);
    expect(refined?.sizeBytes).toBe(full.length);
    expect(refined?.contextLength).toBe(512);
  });

  it('restarts cleanly from byte 0 when the server ignores Range', async () => {
    const model = entry('stories.gguf');
    cutAfter = 200_000;
    const cut = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(cut.status).toBe('partial');
    ignoreRange = true;
    const done = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(requests.at(-1)?.range).toMatch(/^bytes=\d+-$/);
    expect(done.status).toBe('ready');
    expect(done.sha256).toBe(STORIES_SHA256);
    expect(await chunkRows(model.id)).toBe(Math.ceil(full.length / CHUNK));
  });

  it('cancelling keeps the partial download for a later resume', async () => {
    const model = entry('stories.gguf');
    const controller = new AbortController();
    const state = await downloadModel(model, {
      database,
      chunkBytes: CHUNK,
      onProgress: (p) => {
        if (p.bytes >= 3 * CHUNK) controller.abort();
      },
      signal: controller.signal
    });
    expect(state.status).toBe('partial');
    expect(state.error).toBeUndefined();
    expect(state.bytesStored).toBeGreaterThanOrEqual(3 * CHUNK);
    const done = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(done.status).toBe('ready');
    expect(done.sha256).toBe(STORIES_SHA256);
  });

  it('delete removes chunks and state', async () => {
    const model = entry('stories.gguf');
    await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(await chunkRows(model.id)).toBeGreaterThan(0);
    await deleteModelFiles(model.id, database);
    expect(await chunkRows(model.id)).toBe(0);
    expect(await getModelState(model.id, database)).toBeUndefined();
    expect(await storageUsed(database)).toBe(0);
  });
});

describe('bad downloads never become ready', () => {
  it('a truncated GGUF is an error with the expected and actual sizes, and its chunks are gone', async () => {
    const model = entry('truncated.gguf');
    const state = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(state.status).toBe('error');
    expect(state.error).toBe(`file truncated: expected ${full.length} bytes, got 600000`);
    expect(await chunkRows(model.id)).toBe(0);
    await expect(readModelBlob(model.id, database)).rejects.toThrow(/not downloaded/);
  });

  it('an HTML page saved as .gguf is rejected with what it starts with', async () => {
    const model = entry('page.gguf');
    const state = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(state.status).toBe('error');
    expect(state.error).toMatch(/^not a GGUF file: it starts with '<!doctype html>/);
    expect(state.error).toMatch(/web page/);
    expect(await chunkRows(model.id)).toBe(0);
  });

  it('a sha256 different from the catalog is an error', async () => {
    const model = entry('stories.gguf', { sha256: '0'.repeat(64) });
    const state = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(state.status).toBe('error');
    expect(state.error).toBe(`sha256 mismatch: expected ${'0'.repeat(64)}, got ${STORIES_SHA256}`);
    expect(await chunkRows(model.id)).toBe(0);
  });

  it('the matching sha256 from the catalog passes', async () => {
    const model = entry('stories.gguf', { sha256: STORIES_SHA256 });
    expect((await downloadModel(model, { database, chunkBytes: CHUNK })).status).toBe('ready');
  });

  it('a 404 is an error naming the status', async () => {
    const state = await downloadModel(entry('missing.gguf'), { database });
    expect(state.status).toBe('error');
    expect(state.error).toMatch(/404/);
  });

  it('a full disk (QuotaExceededError) says how much is needed and loses nothing stored', async () => {
    const model = entry('stories.gguf');
    const put = database.modelChunks.put.bind(database.modelChunks);
    let writes = 0;
    database.modelChunks.put = ((...args: Parameters<typeof put>) => {
      if (++writes > 4)
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put(...args);
    }) as typeof put;
    const state = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(state.status).toBe('error');
    expect(state.errorKey).toBe('quota');
    expect(state.bytesStored).toBe(4 * CHUNK);
    const needed = full.length - 4 * CHUNK;
    expect(state.error).toMatch(/Not enough storage: this model needs .* more/);
    expect(state.errorParams?.needed).toBe(formatBytes(needed));
    expect(state.error).toMatch(/Delete models/);
    // The four chunks written before the failure are intact and counted.
    expect(await chunkRows(model.id)).toBe(4);
    expect((await getModelState(model.id, database))?.bytesStored).toBe(4 * CHUNK);

    database.modelChunks.put = put; // space freed: resume finishes the job
    const done = await downloadModel(model, { database, chunkBytes: CHUNK });
    expect(requests.at(-1)?.range).toBe(`bytes=${4 * CHUNK}-`);
    expect(done.status).toBe('ready');
    expect(done.sha256).toBe(STORIES_SHA256);
  });
});

describe('storage estimate', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('refuses up front, saying how much is needed and free, when the estimate cannot hold the file', async () => {
    vi.stubGlobal('navigator', {
      storage: { estimate: async () => ({ quota: 1_000_000, usage: 400_000 }) }
    });
    const state = await downloadModel(entry('stories.gguf'), { database, chunkBytes: CHUNK });
    expect(state.status).toBe('error');
    expect(state.error).toBe(
      `Not enough storage: this model needs ${formatBytes(full.length)} more, but only ` +
        `${formatBytes(600_000)} of ${formatBytes(1_000_000)} is free. ` +
        'Delete models you no longer use, then press Resume.'
    );
    expect(await chunkRows('gguf:stories.gguf')).toBe(0);
  });
});

describe('adding from a local file', () => {
  it('imports a GGUF File through the same chunked write and verification', async () => {
    const file = new File([full], 'stories260K.gguf');
    const { model, state } = await importModelFile(file, { database, chunkBytes: CHUNK });
    expect(model.id).toBe('gguf:stories260k');
    expect(model.source).toEqual({ kind: 'file', fileName: 'stories260K.gguf' });
    expect(state.status).toBe('ready');
    expect(state.sha256).toBe(STORIES_SHA256);
    const blob = await readModelBlob(model.id, database);
    expect(blob.size).toBe(full.length);
    expect((await getCatalogModel(model.id, database))?.quantization).toBe('F32');
  });

  it('rejects a file that is not a GGUF before storing anything', async () => {
    const file = new File(['<html>oops</html>'], 'oops.gguf');
    await expect(importModelFile(file, { database })).rejects.toThrow(/not a GGUF file/);
    expect(await database.models.count()).toBe(0);
    expect(await database.modelChunks.count()).toBe(0);
  });

  it('a truncated local file is an error and not ready', async () => {
    const file = new File([full.subarray(0, 500_000)], 'half.gguf');
    const { state } = await importModelFile(file, { database, chunkBytes: CHUNK });
    expect(state.status).toBe('error');
    expect(state.error).toMatch(/file truncated: expected 1185472 bytes, got 500000/);
  });
});
