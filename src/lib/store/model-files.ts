/**
 * GGUF weights in IndexedDB: fixed-size chunks in db().modelChunks plus one ModelState per
 * model. A chunk and the state that counts it are written in one transaction, so after a
 * crash or reload bytesStored always equals the bytes in the stored chunks.
 */
import { toPlain } from '../util/plain';
import type { ModelState } from '../models/types';
import { db, type HearthDB } from './db';

/** A model the engine asked for is not (wholly) stored and verified in this browser. */
export class ModelNotStoredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotStoredError';
  }
}

export async function getModelState(
  id: string,
  database: HearthDB = db()
): Promise<ModelState | undefined> {
  return database.modelStates.get(id);
}

export async function listModelStates(database: HearthDB = db()): Promise<ModelState[]> {
  return database.modelStates.toArray();
}

export async function putModelState(state: ModelState, database: HearthDB = db()): Promise<void> {
  await database.modelStates.put(toPlain({ ...state, updatedAt: Date.now() }));
}

/** How many chunks are stored: the index the next chunk gets. */
export async function chunkCount(id: string, database: HearthDB = db()): Promise<number> {
  return database.modelChunks.where('modelId').equals(id).count();
}

/** Stores one chunk and the state that counts it, atomically. */
export async function appendChunk(
  id: string,
  index: number,
  data: Blob,
  state: ModelState,
  database: HearthDB = db()
): Promise<void> {
  await database.transaction('rw', database.modelChunks, database.modelStates, async () => {
    await database.modelChunks.put({ modelId: id, index, data });
    await database.modelStates.put(toPlain({ ...state, updatedAt: Date.now() }));
  });
}

/** The stored chunks in order, as one Blob (whatever the status). */
export async function readStoredBlob(id: string, database: HearthDB = db()): Promise<Blob> {
  const chunks = await database.modelChunks
    .where('[modelId+index]')
    .between([id, 0], [id, Infinity])
    .toArray();
  return new Blob(chunks.map((c) => c.data));
}

/** The whole verified GGUF as one Blob; engines hand it to wllama's loadModel([blob]). */
export async function readModelBlob(id: string, database: HearthDB = db()): Promise<Blob> {
  const state = await getModelState(id, database);
  if (state?.status !== 'ready') {
    throw new ModelNotStoredError(
      `model ${id} is not downloaded and verified (status: ${state?.status ?? 'none'})`
    );
  }
  const blob = await readStoredBlob(id, database);
  if (blob.size !== state.bytesStored) {
    throw new ModelNotStoredError(
      `model ${id} is incomplete in storage: ${blob.size} of ${state.bytesStored} bytes — delete and download it again`
    );
  }
  return blob;
}

/** Drops every chunk and replaces the state, in one transaction (restart or failed verify). */
export async function resetModelFiles(
  id: string,
  state: ModelState | null,
  database: HearthDB = db()
): Promise<void> {
  await database.transaction('rw', database.modelChunks, database.modelStates, async () => {
    await database.modelChunks.where('modelId').equals(id).delete();
    if (state) await database.modelStates.put(toPlain({ ...state, updatedAt: Date.now() }));
    else await database.modelStates.delete(id);
  });
}

export async function deleteModelFiles(id: string, database: HearthDB = db()): Promise<void> {
  await resetModelFiles(id, null, database);
}

/** Bytes of model weights this app stores (web-llm's own MLC cache is not counted). */
export async function storageUsed(database: HearthDB = db()): Promise<number> {
  const states = await database.modelStates.toArray();
  return states.reduce((sum, s) => sum + s.bytesStored, 0);
}
