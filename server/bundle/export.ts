/**
 * Writing a bundle (see ./format): the index first, so an import can check every later
 * entry against it as it arrives; then manifests; then each blob once, streamed from
 * disk, so a bundle may be far larger than memory. The file appears under its name only
 * when complete.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { pack as createPack, type Pack } from 'tar-stream';
import { displayName, type ModelName } from '#protocol/ollama/names';
import { MEDIA_TYPES, type ProgressResponse } from '#protocol/ollama/types';
import { InvalidInputError } from '../domain-errors';
import { parseDigest, type Digest } from '../store/digest';
import { Layout, checkedName, tempPathFor } from '../store/layout';
import { readManifest, storedSpelling, type StoredManifest } from '../store/manifests';
import { ModelNotFoundError } from '../store/model-store';
import { PartWriter } from './parts';
import {
  INDEX_ENTRY,
  README_ENTRY,
  blobEntry,
  manifestEntry,
  summaryText,
  type BundleIndex,
  type SummaryModel
} from './format';

export interface ExportOptions {
  /** Models folder (Ollama's layout). */
  root: string;
  names: string[];
  output: string;
  /** "hearth 0.1.0", recorded in the index. */
  createdBy: string;
  /** Write parts of at most this many bytes ("<output>.001", …) instead of one file. */
  splitBytes?: number;
  onProgress?: (progress: ProgressResponse) => void;
}

interface Found {
  name: ModelName;
  stored: StoredManifest;
}

async function findModels(layout: Layout, names: string[]): Promise<Found[]> {
  const found = new Map<string, Found>();
  for (const text of names) {
    const name = await storedSpelling(layout, checkedName(text));
    const stored = await readManifest(layout, name);
    if (!stored) throw new ModelNotFoundError(text);
    found.set(manifestEntry(name), { name, stored });
  }
  return [...found.values()];
}

function layersOf(stored: StoredManifest) {
  return [stored.manifest.config, ...stored.manifest.layers];
}

/** Each blob once, in the order the models first use it; sizes are checked on disk. */
async function collectBlobs(layout: Layout, models: Found[]): Promise<Map<Digest, number>> {
  const blobs = new Map<Digest, number>();
  for (const { name, stored } of models) {
    for (const layer of layersOf(stored)) {
      const digest = parseDigest(layer.digest);
      if (blobs.has(digest)) continue;
      const stat = await fs.stat(layout.blobPath(digest)).catch(() => undefined);
      if (!stat || stat.size !== layer.size)
        throw new InvalidInputError(
          `${displayName(name)} is incomplete: its layer ${layer.digest} is ${stat ? `${stat.size} bytes, not ${layer.size}` : 'missing'}`
        );
      blobs.set(digest, layer.size);
    }
  }
  return blobs;
}

async function licences(layout: Layout, stored: StoredManifest): Promise<string[]> {
  const lines: string[] = [];
  for (const layer of stored.manifest.layers) {
    if (layer.mediaType !== MEDIA_TYPES.license) continue;
    const text = await fs.readFile(layout.blobPath(parseDigest(layer.digest)), 'utf8');
    const first = text.split('\n').find((line) => line.trim() !== '');
    if (first) lines.push(first.trim().slice(0, 120));
  }
  return lines;
}

function addEntry(tar: Pack, name: string, body: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) =>
    tar.entry({ name, mode: 0o644 }, body, (error) => (error ? reject(error) : resolve()))
  );
}

async function addFile(
  tar: Pack,
  name: string,
  file: string,
  size: number,
  onBytes: (n: number) => void
) {
  const entry = tar.entry({ name, size, mode: 0o644 });
  await pipeline(
    createReadStream(file),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        onBytes(chunk.length);
        yield chunk;
      }
    },
    entry
  );
}

/** Writes the bundle; returns its index and the file(s) written. */
export async function exportBundle(
  options: ExportOptions
): Promise<{ index: BundleIndex; files: string[] }> {
  const layout = new Layout(options.root);
  const progress = options.onProgress ?? (() => {});
  const models = await findModels(layout, options.names);
  const blobs = await collectBlobs(layout, models);
  const index: BundleIndex = {
    format: 'hearth-bundle',
    version: 1,
    createdAt: new Date().toISOString(),
    createdBy: options.createdBy,
    models: models.map(({ name, stored }) => ({
      name: displayName(name),
      manifest: `sha256:${stored.digest}`,
      size: layersOf(stored).reduce((sum, layer) => sum + layer.size, 0)
    })),
    blobs: [...blobs].map(([digest, size]) => ({ digest, size }))
  };
  const summary: SummaryModel[] = [];
  for (const [i, { name, stored }] of models.entries())
    summary.push({ name, size: index.models[i].size, licences: await licences(layout, stored) });

  const sink = bundleSink(options.output, options.splitBytes);
  const tar = createPack();
  const written = pipeline(tar, sink.stream);
  written.catch(() => undefined);
  try {
    await addEntry(tar, INDEX_ENTRY, JSON.stringify(index, null, 2));
    await addEntry(tar, README_ENTRY, summaryText(index, summary));
    for (const { name, stored } of models) await addEntry(tar, manifestEntry(name), stored.bytes);
    for (const [digest, size] of blobs) {
      let completed = 0;
      progress({ status: `copying ${digest}`, digest, total: size, completed });
      await addFile(tar, blobEntry(digest), layout.blobPath(digest), size, (n) => {
        completed += n;
        progress({ status: `copying ${digest}`, digest, total: size, completed });
      });
    }
    tar.finalize();
    await written;
    const files = await sink.finish();
    progress({ status: 'success' });
    return { index, files };
  } catch (error) {
    tar.destroy();
    await written.catch(() => undefined);
    await sink.discard();
    throw error;
  }
}

interface BundleSink {
  stream: NodeJS.WritableStream;
  /** Puts the written file(s) under their names; returns them. */
  finish(): Promise<string[]>;
  discard(): Promise<void>;
}

/** One file, or parts of at most `splitBytes`; written under temporary names until done. */
function bundleSink(output: string, splitBytes: number | undefined): BundleSink {
  if (splitBytes) {
    const parts = new PartWriter(output, splitBytes);
    return { stream: parts, finish: () => parts.finish(), discard: () => parts.discard() };
  }
  const temp = tempPathFor(output);
  return {
    stream: createWriteStream(temp),
    async finish() {
      await fs.rename(temp, output);
      return [output];
    },
    discard: () => fs.rm(temp, { force: true })
  };
}
