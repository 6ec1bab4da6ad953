/**
 * Downloads a GGUF from a URL into IndexedDB chunks, resuming with `Range: bytes=N-` from
 * what is already stored. Servers that ignore Range (200 instead of 206), or whose file
 * changed since, restart cleanly from byte 0. Returns the final state; failures are
 * recorded in the state, never thrown: 'partial' + error when stored bytes make Resume
 * worthwhile, 'error' when nothing was stored (Retry starts afresh). Network failures are
 * classified by cause (failure.ts) so the page can say what to do.
 *
 * The URL is resolved when the download starts, from the entry's canonical URL and the
 * chosen model source (models/source.ts). A partial download resumes from whichever
 * source is chosen now: the size the first response announced still has to match, or
 * the stored bytes are dropped, and verification is the same for every source.
 */
import { saveUserModel } from '../models/catalog';
import { ggufMemoryBytes } from '../models/gguf-builtins';
import { hubSha256 } from '../models/hub-digest';
import { resolveModelUrl } from '../models/source';
import { effectiveModelSource } from '../models/source-prefs';
import type { ModelSourceSetting } from '#protocol/portal/model-source';
import { checkGgufMagic, GgufError } from '../gguf/read';
import type { CatalogModel, ModelState } from '../models/types';
import { db, type HearthDB } from '../store/db';
import { chunkCount, getModelState, putModelState, resetModelFiles } from '../store/model-files';
import { formatBytes } from '../util/format';
import { ChunkWriter, DEFAULT_CHUNK_BYTES } from './chunk-writer';
import {
  failure,
  isQuotaError,
  quotaFailure,
  storageEstimate,
  withFailure,
  type FailureInfo
} from './errors';
import { browserProbeEnv, classifyFetchError, classifyStatus, failureInfo } from './failure';
import { ProgressTracker, type DownloadProgress } from './progress';
import { verifyStoredModel } from './verify';

export interface TransferOptions {
  database?: HearthDB;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  onState?: (s: ModelState) => void;
  chunkBytes?: number;
  fetch?: typeof fetch;
  /** The model source to fetch from; by default the one in effect (source-prefs.ts). */
  source?: ModelSourceSetting;
}

export function freshState(model: CatalogModel): ModelState {
  return { id: model.id, status: 'partial', bytesStored: 0, totalBytes: 0, updatedAt: Date.now() };
}

/** A failed download with no bytes stored has nothing to resume: it is an error to retry. */
function failed(state: ModelState, info: FailureInfo): ModelState {
  return withFailure({ ...state, status: state.bytesStored > 0 ? 'partial' : 'error' }, info);
}

/** Refuses before any request when the catalog size already says the disk is too full. */
async function roomFor(model: CatalogModel, state: ModelState): Promise<FailureInfo | null> {
  const needed = (state.totalBytes || model.sizeBytes) - state.bytesStored;
  if (needed <= 0) return null;
  const est = await storageEstimate();
  return est && needed > est.quota - est.usage ? quotaFailure(needed) : null;
}

type Plan =
  | { kind: 'read'; total: number; restartFromZero: boolean }
  | { kind: 'complete' }
  | { kind: 'refetch' }
  | { kind: 'http'; status: number; statusText: string };

function contentRange(res: Response): { start: number; total: number | null } | null {
  const m = /bytes\s+(\d+)-\d+\/(\d+|\*)/i.exec(res.headers.get('content-range') ?? '');
  return m ? { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) } : null;
}

/** Decoded length differs from Content-Length when the body is compressed. */
function bodyLength(res: Response): number {
  const encoding = res.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return 0;
  return Number(res.headers.get('content-length') ?? 0) || 0;
}

function planFor(res: Response, from: number, knownTotal: number): Plan {
  if (res.status === 416 && from > 0) {
    const total = /\/(\d+)/.exec(res.headers.get('content-range') ?? '')?.[1];
    return Number(total) === from ? { kind: 'complete' } : { kind: 'refetch' };
  }
  if (res.status === 206) {
    const range = contentRange(res);
    if (!range || range.start !== from) return { kind: 'refetch' };
    const total = range.total ?? (bodyLength(res) ? from + bodyLength(res) : 0);
    // A different total means the file changed on the server (or another source has other
    // bytes under that name): the stored bytes are stale.
    if (from > 0 && knownTotal > 0 && total > 0 && total !== knownTotal) return { kind: 'refetch' };
    // A source that does not say the total is still held to the one announced before.
    return { kind: 'read', total: total || knownTotal, restartFromZero: false };
  }
  if (res.status === 200)
    return { kind: 'read', total: bodyLength(res), restartFromZero: from > 0 };
  return { kind: 'http', status: res.status, statusText: res.statusText };
}

export async function downloadModel(
  model: CatalogModel,
  options: TransferOptions = {}
): Promise<ModelState> {
  const database = options.database ?? db();
  const source = options.source ?? (await effectiveModelSource(database)).setting;
  const url = resolveModelUrl(model, source)?.url;
  if (!url) throw new Error(`${model.id} has no download URL`);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const report = async (s: ModelState) => {
    await putModelState(s, database);
    options.onState?.(s);
    return s;
  };

  let state = (await getModelState(model.id, database)) ?? freshState(model);
  if (state.status === 'ready') return state;
  if (state.totalBytes > 0 && state.bytesStored === state.totalBytes) {
    return verifyStoredModel(model, state, database);
  }
  const noRoom = await roomFor(model, state);
  if (noRoom) return report(withFailure({ ...state, status: 'error' }, noRoom));
  // Asked once per download and kept with it, so a resume after a reload is held to it too.
  const declared = model.sha256
    ? null
    : (state.declaredSha256 ?? (await hubSha256(model, source, doFetch, options.signal)));
  const withDeclared = (s: ModelState): ModelState =>
    declared ? { ...s, declaredSha256: declared } : s;
  const restart = () => withDeclared(freshState(model));
  state = withFailure(withDeclared({ ...state, status: 'partial' }), null);
  options.onState?.(state);

  for (let attempt = 0; attempt < 2; attempt++) {
    const from = state.bytesStored;
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: from > 0 ? { Range: `bytes=${from}-` } : {},
        signal: options.signal,
        cache: 'no-store'
      });
    } catch {
      if (options.signal?.aborted) return report(state);
      const cause = await classifyFetchError(url, browserProbeEnv(doFetch));
      return report(failed(state, failureInfo(cause)));
    }
    const plan = planFor(res, from, state.totalBytes);
    if (plan.kind === 'complete') return verifyStoredModel(model, state, database);
    if (plan.kind === 'refetch') {
      await res.body?.cancel().catch(() => {});
      state = restart();
      await resetModelFiles(model.id, state, database);
      continue;
    }
    if (plan.kind === 'http') {
      await res.body?.cancel().catch(() => {});
      const info = failureInfo(classifyStatus(url, plan.status, plan.statusText));
      return report(failed(state, info));
    }
    if (plan.restartFromZero) {
      state = restart();
      await resetModelFiles(model.id, state, database);
    }
    return readBody(
      model,
      url,
      res,
      { ...state, totalBytes: plan.total },
      database,
      options,
      report
    );
  }
  return report(
    withFailure(
      { ...state, status: 'error' },
      failure('rangeBroken', `the server at ${url} answers Range requests inconsistently`, { url })
    )
  );
}

/**
 * A download cut mid-body. The browser's own words ("Failed to fetch", "network error")
 * stay in the English description for logs; the page says the cause in its language:
 * the connection dropped, or this browser's storage refused a write.
 */
function interrupted(state: ModelState, e: unknown, cause: 'connection' | 'storage'): FailureInfo {
  const at = formatBytes(state.bytesStored);
  const of = state.totalBytes ? formatBytes(state.totalBytes) : '?';
  const detail = (e as Error)?.message ?? String(e);
  const key = cause === 'connection' ? 'interrupted' : 'storageWrite';
  return failure(key, `download interrupted at ${at} of ${of} (${detail})`, { at, of, detail });
}

/** User-added entries learn their size from the first response. */
async function learnSize(model: CatalogModel, total: number, database: HearthDB) {
  if (model.builtin || total <= 0 || model.sizeBytes === total) return;
  await saveUserModel(
    { ...model, sizeBytes: total, sizeEstimated: false, memoryBytes: ggufMemoryBytes(total) },
    database
  );
}

async function readBody(
  model: CatalogModel,
  url: string,
  res: Response,
  start: ModelState,
  database: HearthDB,
  options: TransferOptions,
  report: (s: ModelState) => Promise<ModelState>
): Promise<ModelState> {
  await learnSize(model, start.totalBytes, database);
  const remaining = start.totalBytes - start.bytesStored;
  const est = await storageEstimate();
  if (est && start.totalBytes > 0 && remaining > est.quota - est.usage) {
    await res.body?.cancel().catch(() => {});
    return report(withFailure({ ...start, status: 'error' }, await quotaFailure(remaining)));
  }
  await report(start);

  const writer = new ChunkWriter(
    database,
    start,
    await chunkCount(model.id, database),
    options.chunkBytes ?? DEFAULT_CHUNK_BYTES
  );
  const tracker = new ProgressTracker(start.totalBytes);
  const reader = res.body!.getReader();
  // The first bytes tell whether this is a GGUF at all: stop an HTML page early.
  let head: Uint8Array | null = start.bytesStored === 0 ? new Uint8Array(0) : null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (head) {
        head = concat(head, value);
        if (head.byteLength >= 4) {
          checkGgufMagic(head.subarray(0, 64));
          head = null;
        }
      }
      await writer.push(value);
      options.onProgress?.(tracker.update(writer.bytesReceived));
    }
    if (head) checkGgufMagic(head); // a body shorter than 4 bytes
    await writer.flush();
  } catch (e) {
    await reader.cancel().catch(() => {});
    return report(await afterReadError(model, url, e, writer, options, database));
  }

  const done = writer.current;
  if (done.totalBytes > 0 && done.bytesStored < done.totalBytes) {
    return report(
      failed(done, interrupted(done, new Error('connection closed early'), 'connection'))
    );
  }
  return verifyStoredModel(
    model,
    { ...done, totalBytes: done.totalBytes || done.bytesStored },
    database
  );
}

async function afterReadError(
  model: CatalogModel,
  url: string,
  e: unknown,
  writer: ChunkWriter,
  options: TransferOptions,
  database: HearthDB
): Promise<ModelState> {
  if (e instanceof GgufError) {
    const failed = withFailure(
      { ...writer.current, status: 'error', bytesStored: 0 },
      failure(e.key, e.message, e.params)
    );
    await resetModelFiles(model.id, failed, database);
    return failed;
  }
  const quota = async () => {
    const s = writer.current;
    return withFailure({ ...s, status: 'error' }, await quotaFailure(s.totalBytes - s.bytesStored));
  };
  if (isQuotaError(e)) return quota();
  // Network cut or cancel: the bytes that did arrive are good, keep them.
  try {
    await writer.flush();
  } catch (flushError) {
    if (isQuotaError(flushError)) return quota();
    return failed(writer.current, interrupted(writer.current, flushError, 'storage'));
  }
  if (options.signal?.aborted) return withFailure(writer.current, null);
  // The connection dropped mid-body: say so plainly when it was the device going offline.
  const cut =
    browserProbeEnv(globalThis.fetch).online?.() === false
      ? failureInfo({ kind: 'offline', host: new URL(url, globalThis.location?.href).host })
      : interrupted(writer.current, e, 'connection');
  return failed(writer.current, cut);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
