/**
 * Adding GGUF models the catalog does not ship: by URL (a hub, a LAN mirror, a portal) or
 * from a local file (the air-gapped "weights on a USB stick" case). Both create a user
 * catalog entry "gguf:<slug>" and then share the chunked write + verify path.
 */
import { fileNameFromUrl, freeGgufId, saveUserModel } from '../models/catalog';
import { ggufMemoryBytes } from '../models/gguf-builtins';
import { checkGgufHeader, GgufError } from '../gguf/read';
import type { CatalogModel, ModelState } from '../models/types';
import { db, type HearthDB } from '../store/db';
import { chunkCount, getModelState, putModelState, resetModelFiles } from '../store/model-files';
import { ChunkWriter, DEFAULT_CHUNK_BYTES } from './chunk-writer';
import { failure, isQuotaError, quotaFailure, storageEstimate, withFailure } from './errors';
import { freshState, type TransferOptions } from './download';
import { ProgressTracker } from './progress';
import { verifyStoredModel } from './verify';

/**
 * "Q4_K_M" from "qwen2.5-0.5b-instruct-q4_k_m.gguf"; null when the name does not say.
 * The parser loads on first use: it brings the Hub's task tables, too big for a first visit.
 * Offline before it was ever loaded, the label stays unknown; verification reads the real
 * one from the file's metadata.
 */
export async function quantizationFromFileName(fileName: string): Promise<string | null> {
  try {
    const { parseGGUFQuantLabel } = await import('@huggingface/gguf');
    return parseGGUFQuantLabel(fileName)?.toUpperCase() ?? null;
  } catch {
    return null;
  }
}

export class AddModelError extends Error {
  constructor(
    readonly key: string,
    message: string,
    readonly params: Record<string, string | number> = {}
  ) {
    super(message);
    this.name = 'AddModelError';
  }
}

function displayName(fileName: string): string {
  return fileName.replace(/\.gguf$/i, '');
}

/** Creates (or finds) the user entry for a URL; the caller then starts downloadModel. */
export async function addModelFromUrl(
  rawUrl: string,
  name?: string,
  database: HearthDB = db()
): Promise<CatalogModel> {
  let url: URL;
  try {
    url = new URL(rawUrl.trim());
  } catch {
    throw new AddModelError('invalidUrl', `not a valid URL: ${rawUrl}`, { url: rawUrl });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AddModelError('invalidUrl', `only http and https URLs can be downloaded: ${rawUrl}`, {
      url: rawUrl
    });
  }
  const existing = (await database.models.toArray()).find(
    (m) => m.source.kind === 'url' && m.source.url === url.href
  );
  if (existing) return existing;
  const fileName = fileNameFromUrl(url.href);
  const label = name?.trim() || displayName(fileName);
  const model: CatalogModel = {
    id: await freeGgufId(label, database),
    name: label,
    format: 'gguf',
    quantization: (await quantizationFromFileName(fileName)) ?? '?',
    sizeBytes: 0,
    memoryBytes: 0,
    source: { kind: 'url', url: url.href },
    builtin: false
  };
  await saveUserModel(model, database);
  return model;
}

/** Finds the entry a file was imported into before (to resume), or creates one. */
async function entryForFile(file: File, name: string | undefined, database: HearthDB) {
  const existing = (await database.models.toArray()).find(
    (m) => m.source.kind === 'file' && m.source.fileName === file.name && m.sizeBytes === file.size
  );
  if (existing) return existing;
  const label = name?.trim() || displayName(file.name);
  const model: CatalogModel = {
    id: await freeGgufId(label, database),
    name: label,
    format: 'gguf',
    quantization: (await quantizationFromFileName(file.name)) ?? '?',
    sizeBytes: file.size,
    memoryBytes: ggufMemoryBytes(file.size),
    source: { kind: 'file', fileName: file.name },
    builtin: false
  };
  await saveUserModel(model, database);
  return model;
}

async function readSlice(file: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}

/**
 * Copies a local GGUF into chunk storage and verifies it. A file that is not a GGUF is
 * rejected before anything is stored (throws GgufError); importing the same file again
 * after an interruption resumes from what was stored.
 */
export async function importModelFile(
  file: File,
  options: TransferOptions & { name?: string } = {}
): Promise<{ model: CatalogModel; state: ModelState }> {
  const database = options.database ?? db();
  checkGgufHeader(await readSlice(file, 0, 64));
  const model = await entryForFile(file, options.name, database);
  let state = (await getModelState(model.id, database)) ?? freshState(model);
  if (state.status === 'ready') return { model, state };
  if (state.totalBytes !== file.size) {
    state = { ...freshState(model), totalBytes: file.size };
    await resetModelFiles(model.id, state, database);
  }
  state = withFailure({ ...state, status: 'partial' }, null);
  options.onState?.(state);

  const remaining = file.size - state.bytesStored;
  const est = await storageEstimate();
  if (est && remaining > est.quota - est.usage) {
    const failed = withFailure({ ...state, status: 'error' }, await quotaFailure(remaining));
    await putModelState(failed, database);
    return { model, state: failed };
  }

  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const writer = new ChunkWriter(database, state, await chunkCount(model.id, database), chunkBytes);
  const tracker = new ProgressTracker(file.size);
  try {
    for (let offset = state.bytesStored; offset < file.size; offset += chunkBytes) {
      if (options.signal?.aborted) break;
      await writer.push(await readSlice(file, offset, Math.min(offset + chunkBytes, file.size)));
      options.onProgress?.(tracker.update(writer.bytesReceived));
    }
    await writer.flush();
  } catch (e) {
    const s = writer.current;
    const info = isQuotaError(e)
      ? await quotaFailure(file.size - s.bytesStored)
      : failure(
          'fileRead',
          `could not read ${file.name}: ${(e as Error).message} — pick the file again to continue`,
          { file: file.name, detail: (e as Error).message }
        );
    const failed = withFailure({ ...s, status: isQuotaError(e) ? 'error' : 'partial' }, info);
    await putModelState(failed, database);
    return { model, state: failed };
  }
  if (writer.current.bytesStored < file.size) {
    await putModelState(writer.current, database); // cancelled: keep for resume
    return { model, state: writer.current };
  }
  return { model, state: await verifyStoredModel(model, writer.current, database) };
}

export { GgufError };
