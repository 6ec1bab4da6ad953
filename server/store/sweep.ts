/**
 * Start-up cleanup of what a killed process (kill -9, power loss) left in the model
 * store: the temp files that blob uploads, layer writes and manifest writes rename into
 * place when they finish (layout.ts tempPathFor: "<target>-tmp-<pid>-<hex>"). Nothing can
 * resume from those, so they only waste disk. A pull's "-partial" file is different: the
 * next pull of the same blob continues from it, so it stays.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { processIsAlive } from '../process-alive';

const TEMP_FILE = /-tmp-(\d+)-[0-9a-f]{12}$/;
/** An upload still being written touches its temp file far more often than this. */
const STALE_AFTER_MS = 60 * 60_000;
/** manifests/<host>/<namespace>/<model>/<tag>, with a little room to spare. */
const MAX_DEPTH = 6;

export interface SweepResult {
  removed: string[];
  bytes: number;
}

/**
 * A temp file is left over when its writer is gone. Our own pid counts as gone: the sweep
 * runs before we write anything, and a restarted container often reuses the same pid.
 * A live pid may be another server or `hearth` command sharing the store, unless the
 * file has not been written to for an hour.
 */
function isLeftover(pid: number, mtimeMs: number, now: number): boolean {
  if (pid === process.pid || !processIsAlive(pid)) return true;
  return now - mtimeMs > STALE_AFTER_MS;
}

async function* filesUnder(dir: string, depth: number): AsyncGenerator<string> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && depth < MAX_DEPTH) yield* filesUnder(full, depth + 1);
    else if (entry.isFile()) yield full;
  }
}

/** Removes leftover temp files under root's blobs/ and manifests/; returns what went. */
export async function sweepTempFiles(root: string, now = Date.now()): Promise<SweepResult> {
  const result: SweepResult = { removed: [], bytes: 0 };
  for (const top of ['blobs', 'manifests']) {
    for await (const file of filesUnder(path.join(root, top), 1)) {
      const match = TEMP_FILE.exec(path.basename(file));
      if (!match) continue;
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat || !isLeftover(Number(match[1]), stat.mtimeMs, now)) continue;
      await fs.rm(file, { force: true });
      result.removed.push(path.relative(root, file));
      result.bytes += stat.size;
    }
  }
  return result;
}
