/**
 * Ollama's on-disk layout: manifests/<host>/<namespace>/<model>/<tag> (JSON) and
 * blobs/sha256-<hex>. Paths are derived here only, and only from checked values (a
 * ModelName, a Digest), so no path is ever built from a string nobody checked.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ModelNameError,
  modelNameSegments,
  parseModelName,
  parseModelReference,
  quoteName,
  type ModelName,
  type ModelReference
} from '#protocol/ollama/names';
import { InvalidInputError } from '../domain-errors';
import { quoteInput } from '../errors';
import { digestHex, tryParseDigest, type Digest } from './digest';

/**
 * The edge parser for names given as text: a bad name is a 400 whose message names the
 * field ("invalid destination name \"../x\": host must start with …").
 */
export function parseName(text: string, field = 'model'): ModelName {
  try {
    return parseModelName(text);
  } catch (err) {
    if (err instanceof ModelNameError)
      throw new InvalidInputError(`invalid ${field} name ${quoteName(text)}: ${err.reason}`);
    throw err;
  }
}

/**
 * parseName for a pull's name, which may start with http:// or https://. A bad one
 * throws ModelNameError, which the HTTP layer answers with a 400 carrying its message.
 */
export function parseReference(text: string): ModelReference {
  return parseModelReference(text);
}

/** Store methods take a checked name, or text they check with parseName. */
export function checkedName(name: string | ModelName): ModelName {
  return typeof name === 'string' ? parseName(name) : name;
}

export class Layout {
  readonly manifests: string;
  readonly blobs: string;

  constructor(readonly root: string) {
    this.manifests = path.join(root, 'manifests');
    this.blobs = path.join(root, 'blobs');
  }

  manifestPath(name: ModelName): string {
    return path.join(this.manifests, ...modelNameSegments(name));
  }

  blobPath(digest: Digest): string {
    // Checked again: a type cast must not be enough to name a file outside blobs/.
    const checkedDigest = tryParseDigest(digest, true);
    if (!checkedDigest)
      throw new Error(`unchecked digest reached the store: ${quoteInput(digest)}`);
    return path.join(this.blobs, `sha256-${digestHex(checkedDigest)}`);
  }

  /** Where a resumable pull keeps the bytes it has so far. */
  partialPath(digest: Digest): string {
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
