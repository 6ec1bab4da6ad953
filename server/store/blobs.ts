/**
 * Content-addressed blob writes: bytes stream to a temp file while being hashed, and
 * only a file whose sha256 matches its name is renamed into blobs/. A failed or
 * mismatched upload leaves nothing behind.
 */
import crypto from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidInputError } from '../domain-errors';
import { digestHex, type Digest } from './digest';
import { tempPathFor } from './layout';

export async function writeVerifiedBlob(
  target: string,
  digest: Digest,
  source: Readable | AsyncIterable<Uint8Array>
): Promise<number> {
  const expected = digestHex(digest);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    }
  });
  try {
    await pipeline(source, hasher, createWriteStream(temp));
    const actual = hash.digest('hex');
    if (actual !== expected)
      throw new InvalidInputError(
        `digest mismatch: expected sha256:${expected}, got sha256:${actual}`
      );
    await fs.rename(temp, target);
    return size;
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/** Hashes a file (or its first `length` bytes) without holding it in memory. */
export async function hashFile(
  file: string,
  hash = crypto.createHash('sha256')
): Promise<crypto.Hash> {
  await pipeline(createReadStream(file), async function (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) hash.update(chunk);
  });
  return hash;
}
