/**
 * A bundle split into parts for media with a file size limit (FAT32 sticks hold files up
 * to 4 GiB): "models.hearth.001", ".002", … each at most the part size, read back in
 * order as one stream. Parts are written under temporary names and renamed only when the
 * whole bundle is written, so a cut export leaves no part that looks finished.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { tempPathFor } from '../store/layout';

const PART = /^(.*)\.(\d{3})$/;

export function partName(base: string, index: number): string {
  return `${base}.${String(index + 1).padStart(3, '0')}`;
}

/** "4G", "700M", "1.5G", "123456" → bytes (binary units). */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text.trim());
  if (!match) throw new Error(`not a size: "${text}" (try 4G or 700M)`);
  const power = ' KMGT'.indexOf(match[2].toUpperCase() || ' ');
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  if (bytes < 1024 * 1024) throw new Error(`parts must be at least 1M, not "${text}"`);
  return bytes;
}

/** Writes parts of at most `partBytes`; `finish()` renames them into place. */
export class PartWriter extends Writable {
  private readonly temps: string[] = [];
  private current?: WriteStream;
  private written = 0;

  constructor(
    private readonly base: string,
    private readonly partBytes: number
  ) {
    super();
  }

  private open(): WriteStream {
    const temp = tempPathFor(partName(this.base, this.temps.length));
    this.temps.push(temp);
    this.written = 0;
    this.current = createWriteStream(temp);
    return this.current;
  }

  private async put(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      const out = this.current && this.written < this.partBytes ? this.current : await this.next();
      const take = rest.subarray(0, this.partBytes - this.written);
      if (!out.write(take))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      this.written += take.length;
      rest = rest.subarray(take.length);
    }
  }

  private async next(): Promise<WriteStream> {
    await this.closeCurrent();
    return this.open();
  }

  private closeCurrent(): Promise<void> {
    const out = this.current;
    this.current = undefined;
    if (!out) return Promise.resolve();
    return new Promise((resolve, reject) => {
      out.once('error', reject);
      out.end(resolve);
    });
  }

  override _write(chunk: Buffer, _encoding: string, done: (error?: Error | null) => void) {
    this.put(chunk).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void) {
    this.closeCurrent().then(() => done(), done);
  }

  /** The part files' final names, once renamed. */
  async finish(): Promise<string[]> {
    const names: string[] = [];
    for (const [index, temp] of this.temps.entries()) {
      names.push(partName(this.base, index));
      await fs.rename(temp, names[index]);
    }
    return names;
  }

  async discard(): Promise<void> {
    this.current?.destroy();
    await Promise.all(this.temps.map((temp) => fs.rm(temp, { force: true })));
  }
}

/**
 * The files a bundle is read from: the file itself, or, given one part (or the name
 * without ".001"), every part in order. A missing middle part is refused here; a missing
 * last part shows as a bundle that ends early.
 */
export async function bundleFiles(file: string): Promise<string[]> {
  const stat = await fs.stat(file).catch(() => undefined);
  const base = PART.exec(file)?.[1] ?? file;
  if (stat?.isFile() && !PART.test(file)) return [file];
  const dir = path.dirname(base);
  const prefix = `${path.basename(base)}.`;
  const found = (await fs.readdir(dir))
    .filter((name) => name.startsWith(prefix) && /^\d{3}$/.test(name.slice(prefix.length)))
    .sort();
  if (found.length === 0) throw new Error(`no bundle at ${file}`);
  found.forEach((name, index) => {
    if (name !== path.basename(partName(base, index)))
      throw new Error(
        `part ${path.basename(partName(base, index))} of ${path.basename(base)} is missing`
      );
  });
  return found.map((name) => path.join(dir, name));
}

/** The files one after another, as one stream. */
export function concatenated(files: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const file of files) yield* createReadStream(file);
    })()
  );
}
