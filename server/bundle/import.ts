/**
 * Reading a bundle (see ./format) into a models folder. Every entry is checked against
 * the index, which comes first: a manifest against its sha256, a blob by the store's
 * verified write (hashed while it is copied; only matching bytes are renamed into
 * blobs/). Blobs already stored are skipped, so an import cut halfway resumes where it
 * stopped. Manifests are written last, and only for models whose every layer is stored:
 * a tampered or truncated bundle leaves no model listed. Entry names are only looked
 * up in the index; no path is built from them.
 */
import { pipeline } from 'node:stream/promises';
import { extract as createExtract, type Header } from 'tar-stream';
import type { ProgressResponse } from '#protocol/ollama/types';
import { displayName, type ModelName } from '#protocol/ollama/names';
import { DomainError, InvalidInputError } from '../domain-errors';
import { parseDigest, type Digest } from '../store/digest';
import type { DiskModelStore } from '../store/disk-store';
import { Layout, parseName, sha256Hex } from '../store/layout';
import { parseManifest, writeManifest } from '../store/manifests';
import type { Manifest } from '#protocol/ollama/types';
import {
  INDEX_ENTRY,
  MAX_INDEX_BYTES,
  MAX_MANIFEST_BYTES,
  README_ENTRY,
  blobEntry,
  bundleIndexSchema,
  manifestEntry,
  type BundleIndex
} from './format';

export interface ImportResult {
  models: string[];
  /** Blobs copied, and blobs already stored (skipped). */
  copied: number;
  skipped: number;
  bytes: number;
}

type BundleStore = Pick<DiskModelStore, 'root' | 'hasBlob' | 'writeBlob'>;

interface Expected {
  manifests: Map<string, { name: ModelName; digest: string }>;
  blobs: Map<string, { digest: Digest; size: number }>;
}

/** An entry's bytes as tar-stream hands them over. */
type EntryStream = AsyncIterable<Buffer> & { resume(): unknown };

async function readAll(stream: EntryStream, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit)
      throw new InvalidInputError(`not a Hearth bundle: ${what} is over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseIndex(bytes: Buffer): BundleIndex {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidInputError(`not a Hearth bundle: ${INDEX_ENTRY} is not JSON`);
  }
  const parsed = bundleIndexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(
      `not a Hearth bundle: ${INDEX_ENTRY} ${issue.path.join('.')} ${issue.message}`
    );
  }
  return parsed.data;
}

function expectedEntries(index: BundleIndex): Expected {
  const manifests = new Map<string, { name: ModelName; digest: string }>();
  for (const model of index.models) {
    const name = parseName(model.name);
    manifests.set(manifestEntry(name), { name, digest: model.manifest });
  }
  const blobs = new Map<string, { digest: Digest; size: number }>();
  for (const blob of index.blobs) {
    const digest = parseDigest(blob.digest);
    blobs.set(blobEntry(digest), { digest, size: blob.size });
  }
  return { manifests, blobs };
}

/** Reads past an entry being skipped. */
async function drain(stream: EntryStream): Promise<void> {
  for await (const chunk of stream) void chunk;
}

async function* counted(stream: EntryStream, onBytes: (n: number) => void) {
  for await (const chunk of stream) {
    onBytes(chunk.length);
    yield chunk;
  }
}

export async function importBundle(
  store: BundleStore,
  input: NodeJS.ReadableStream,
  onProgress: (progress: ProgressResponse) => void = () => {}
): Promise<ImportResult> {
  const layout = new Layout(store.root);
  const tar = createExtract();
  let index: BundleIndex | undefined;
  let expected: Expected | undefined;
  const manifests = new Map<string, { name: ModelName; bytes: Buffer; manifest: Manifest }>();
  const seen = new Set<string>();
  const result: ImportResult = { models: [], copied: 0, skipped: 0, bytes: 0 };
  let current = 'the start';

  const onEntry = async (header: Header, stream: EntryStream) => {
    current = header.name;
    if (!index || !expected) {
      if (header.name !== INDEX_ENTRY)
        throw new InvalidInputError(
          `not a Hearth bundle: it starts with "${header.name}", not ${INDEX_ENTRY}`
        );
      index = parseIndex(await readAll(stream, MAX_INDEX_BYTES, INDEX_ENTRY));
      expected = expectedEntries(index);
      return;
    }
    if (header.name === README_ENTRY) return drain(stream);
    const manifest = expected.manifests.get(header.name);
    const blob = expected.blobs.get(header.name);
    if (seen.has(header.name) || (!manifest && !blob))
      throw new InvalidInputError(
        `the bundle holds "${header.name}", which its index does not list`
      );
    seen.add(header.name);
    if (manifest) {
      const bytes = await readAll(stream, MAX_MANIFEST_BYTES, header.name);
      if (`sha256:${sha256Hex(bytes)}` !== manifest.digest)
        throw new InvalidInputError(
          `the manifest of ${displayName(manifest.name)} does not match its sha256`
        );
      const parsed = parseManifest(bytes, displayName(manifest.name));
      manifests.set(header.name, { name: manifest.name, bytes, manifest: parsed });
      return;
    }
    const { digest, size } = blob!;
    if (header.size !== size)
      throw new InvalidInputError(
        `${digest} is ${header.size} bytes in the bundle, its index says ${size}`
      );
    if (await store.hasBlob(digest)) {
      result.skipped++;
      onProgress({ status: `already present ${digest}`, digest, total: size, completed: size });
      return drain(stream);
    }
    let completed = 0;
    const bytes = counted(stream, (n) => {
      completed += n;
      onProgress({ status: `verifying and copying ${digest}`, digest, total: size, completed });
    });
    try {
      await store.writeBlob(digest, bytes);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new InvalidInputError(
        `${digest} in the bundle is damaged (${detail}); nothing was listed`
      );
    }
    result.copied++;
    result.bytes += size;
  };

  tar.on('entry', (header, stream, next) => {
    // tar-stream's entries are byte streams; its types leave the chunk type open.
    onEntry(header, stream as unknown as EntryStream).then(
      () => next(),
      (error: unknown) => {
        stream.resume();
        tar.destroy(error as Error);
      }
    );
  });
  await pipeline(input, tar).catch((error: unknown) => {
    if (error instanceof DomainError) throw error;
    // tar-stream's own errors: a cut file ("Unexpected end of data") or not a tar at all.
    throw new InvalidInputError(
      `the bundle ends early or is not a tar file (at ${current}: ${(error as Error).message}); ` +
        `${result.copied} file(s) were verified and kept, run the import again with the whole file to finish`
    );
  });

  if (!index || !expected) throw new InvalidInputError(`not a Hearth bundle: no ${INDEX_ENTRY}`);
  const missing = [...expected.blobs.keys(), ...expected.manifests.keys()].filter(
    (entry) => !seen.has(entry)
  );
  if (missing.length > 0)
    throw new InvalidInputError(
      `the bundle is incomplete: ${missing.length} file(s) its index lists are missing (first: ${missing[0]}); nothing was listed`
    );
  for (const { name, manifest } of manifests.values()) {
    for (const layer of [manifest.config, ...manifest.layers]) {
      if (!(await store.hasBlob(layer.digest)))
        throw new InvalidInputError(
          `${displayName(name)} needs ${layer.digest}, which the bundle does not hold`
        );
    }
  }
  for (const { name, bytes } of manifests.values()) {
    await writeManifest(layout, name, bytes);
    result.models.push(displayName(name));
  }
  onProgress({ status: 'success' });
  return result;
}
