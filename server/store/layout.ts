/**
 * Ollama's on-disk layout: manifests/<host>/<namespace>/<model>/<tag> (JSON) and
 * blobs/sha256-<hex>. Paths are derived here only, so the rest of the store never
 * builds a path from user input by hand.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseModelName, type ModelName } from '../../src/lib/ollama/names';
import { badRequest } from '../errors';

const DIGEST = /^sha256[:-]([0-9a-f]{64})$/;

/** "sha256:<hex>" or "sha256-<hex>" → hex; anything else is a 400. */
export function digestHex(digest: string): string {
  const match = DIGEST.exec(digest.trim());
  if (!match) throw badRequest(`invalid digest "${digest}": expected sha256:<64 hex digits>`);
  return match[1];
}

export function isDigest(digest: string): boolean {
  return DIGEST.test(digest.trim());
}

export function parseName(name: string): ModelName {
  try {
    return parseModelName(name);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

export class Layout {
  readonly manifests: string;
  readonly blobs: string;

  constructor(readonly root: string) {
    this.manifests = path.join(root, 'manifests');
    this.blobs = path.join(root, 'blobs');
  }

  manifestPath(name: ModelName): string {
    return path.join(this.manifests, name.host, name.namespace, name.model, name.tag);
  }

  blobPath(digest: string): string {
    return path.join(this.blobs, `sha256-${digestHex(digest)}`);
  }

  /** Where a resumable pull keeps the bytes it has so far. */
  partialPath(digest: string): string {
    return `${this.blobPath(digest)}-partial`;
  }
}

/** A unique temp path beside the target, so the final rename stays on one filesystem. */
export function tempPathFor(target: string): string {
  return `${target}-tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
}

/** Writes a file so readers see either the old content or the whole new content. */
export async function writeFileAtomic(target: string, data: Buffer | string): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

export function sha256Hex(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
