/**
 * The last step before a model is 'ready': sha256 over the stored chunks (incremental,
 * so a 1 GB model never sits in memory twice), size against what the server announced,
 * the catalog's digest when known, and the GGUF structure. Any failure deletes the chunks.
 */
import { startSha256 } from '../util/sha256';
import { saveUserModel } from '../models/catalog';
import { checkGgufBlob, GgufError, type GgufSummary } from '../gguf/read';
import { ggufMemoryBytes, DEFAULT_CONTEXT } from '../models/gguf-builtins';
import type { CatalogModel, ModelState } from '../models/types';
import type { HearthDB } from '../store/db';
import { putModelState, readStoredBlob, resetModelFiles } from '../store/model-files';
import { failure, withFailure, type FailureInfo } from './errors';

export async function sha256OfChunks(
  id: string,
  database: HearthDB
): Promise<{ hex: string; size: number }> {
  const hasher = await startSha256();
  let size = 0;
  // One chunk at a time, by key, so only one chunk's bytes are in memory.
  const keys = await database.modelChunks.where('modelId').equals(id).primaryKeys();
  keys.sort((a, b) => a[1] - b[1]);
  for (const key of keys) {
    const chunk = await database.modelChunks.get(key);
    if (!chunk) continue;
    const bytes = new Uint8Array(await chunk.data.arrayBuffer());
    hasher.update(bytes);
    size += bytes.byteLength;
  }
  return { hex: hasher.hex(), size };
}

async function fail(state: ModelState, info: FailureInfo, database: HearthDB): Promise<ModelState> {
  const failed = withFailure(
    { ...state, status: 'error', bytesStored: 0, sha256: undefined },
    info
  );
  await resetModelFiles(state.id, failed, database);
  return failed;
}

/** Fills in what only the file itself knows, for entries the user added. */
async function refineUserEntry(
  model: CatalogModel,
  summary: GgufSummary,
  size: number,
  database: HearthDB
) {
  if (model.builtin) return;
  await saveUserModel(
    {
      ...model,
      quantization: summary.quantization ?? model.quantization,
      sizeBytes: size,
      sizeEstimated: false,
      memoryBytes: ggufMemoryBytes(size, summary.shape ?? undefined),
      contextLength: Math.min(summary.contextLength ?? DEFAULT_CONTEXT, DEFAULT_CONTEXT),
      completionOnly: !summary.hasChatTemplate
    },
    database
  );
}

export async function verifyStoredModel(
  model: CatalogModel,
  state: ModelState,
  database: HearthDB
): Promise<ModelState> {
  try {
    return await verifyOrFail(model, state, database);
  } catch (e) {
    // Storage trouble while reading back: keep the bytes, so Resume can verify again.
    const info = failure('verifyFailed', `verification failed: ${(e as Error).message}`, {
      detail: (e as Error).message
    });
    const failed = withFailure({ ...state, status: 'error' }, info);
    await putModelState(failed, database).catch(() => {});
    return failed;
  }
}

async function verifyOrFail(
  model: CatalogModel,
  state: ModelState,
  database: HearthDB
): Promise<ModelState> {
  const verifying = withFailure({ ...state, status: 'verifying' }, null);
  await putModelState(verifying, database);

  const { hex, size } = await sha256OfChunks(model.id, database);
  if (state.totalBytes > 0 && size !== state.totalBytes) {
    return fail(
      verifying,
      failure('truncated', `file truncated: expected ${state.totalBytes} bytes, got ${size}`, {
        expected: state.totalBytes,
        actual: size
      }),
      database
    );
  }
  const expected = (model.sha256 ?? state.declaredSha256)?.toLowerCase();
  if (expected && expected !== hex) {
    return fail(
      verifying,
      failure('sha256', `sha256 mismatch: expected ${expected}, got ${hex}`, {
        expected,
        actual: hex
      }),
      database
    );
  }
  let summary: GgufSummary;
  try {
    summary = await checkGgufBlob(await readStoredBlob(model.id, database));
  } catch (e) {
    if (!(e instanceof GgufError)) throw e;
    return fail(verifying, failure(e.key, e.message, e.params), database);
  }
  await refineUserEntry(model, summary, size, database);
  const ready: ModelState = {
    ...verifying,
    status: 'ready',
    bytesStored: size,
    totalBytes: size,
    sha256: hex
  };
  await putModelState(ready, database);
  return ready;
}
