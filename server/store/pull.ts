/**
 * Pulling a model from a registry that speaks the /v2/ read paths (registry.ollama.ai
 * or another Hearth server). Blobs land in a -partial file first; an interrupted
 * download resumes from it with an HTTP Range request, and a blob only enters blobs/
 * once its sha256 matches.
 */
import crypto from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { displayName, type ModelName, type ModelReference } from '#protocol/ollama/names';
import type { Manifest, ManifestLayer } from '#protocol/ollama/types';
import { MEDIA_TYPES } from '#protocol/ollama/types';
import { DomainError, NotFoundError, UpstreamError } from '../domain-errors';
import { hashFile } from './blobs';
import type { OnProgress } from './model-store';
import { digestHex, parseDigest } from './digest';
import { Layout, exists, parseReference } from './layout';
import { parseManifest, writeManifest } from './manifests';

export interface PullSource {
  name: ModelName;
  /** e.g. "http://127.0.0.1:8080" */
  base: string;
}

export interface PullDeps {
  layout: Layout;
  pin(digests: string[]): () => void;
  /** Runs fn with no other download of the same blob in flight (they share the partial). */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
  fetch?: typeof fetch;
  /** Bearer key for a source Hearth server with sign-in on (HEARTH_REGISTRY_KEY). */
  registryKey?: string;
}

const ATTEMPTS = 4;

function authorized(deps: PullDeps, headers: Record<string, string>): Record<string, string> {
  return deps.registryKey ? { ...headers, authorization: `Bearer ${deps.registryKey}` } : headers;
}
const PROGRESS_INTERVAL_MS = 150;

/** A registry host with a port, an explicit http:// or `insecure` is fetched over http. */
export function pullSource(input: string | ModelReference, insecure = false): PullSource {
  const { name, scheme: explicit } = typeof input === 'string' ? parseReference(input) : input;
  const scheme = explicit ?? (insecure || name.host.includes(':') ? 'http' : 'https');
  return { name, base: `${scheme}://${name.host}` };
}

function repoUrl(source: PullSource): string {
  return `${source.base}/v2/${source.name.namespace}/${source.name.model}`;
}

export async function fetchManifest(
  deps: PullDeps,
  source: PullSource
): Promise<{ manifest: Manifest; bytes: Buffer }> {
  const url = `${repoUrl(source)}/manifests/${source.name.tag}`;
  let response: Response;
  try {
    response = await (deps.fetch ?? fetch)(url, {
      headers: authorized(deps, { accept: MEDIA_TYPES.manifest })
    });
  } catch (err) {
    throw new UpstreamError(`pull model manifest: ${causeOf(err)}`);
  }
  if (response.status === 404)
    throw new NotFoundError(`pull model manifest: model '${displayName(source.name)}' not found`);
  if (!response.ok)
    throw new UpstreamError(`pull model manifest: registry answered ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  try {
    return { manifest: parseManifest(bytes, url), bytes };
  } catch (err) {
    throw new UpstreamError(`pull model manifest: ${(err as Error).message}`);
  }
}

export async function pullModel(
  deps: PullDeps,
  source: PullSource,
  fetched: { manifest: Manifest; bytes: Buffer },
  onProgress: OnProgress,
  signal?: AbortSignal
): Promise<void> {
  const layers = [...fetched.manifest.layers, fetched.manifest.config];
  const release = deps.pin(layers.map((l) => l.digest));
  try {
    for (const layer of layers) {
      await deps.exclusive(layer.digest, () =>
        downloadLayer(deps, source, layer, onProgress, signal)
      );
    }
    // Each blob's sha256 was checked as it was written; this is the last look before the
    // manifest makes the model visible.
    onProgress({ status: 'verifying sha256 digest' });
    for (const layer of layers) {
      if (!(await exists(deps.layout.blobPath(parseDigest(layer.digest)))))
        throw new Error(`blob ${layer.digest} missing after download`);
    }
    onProgress({ status: 'writing manifest' });
    await writeManifest(deps.layout, source.name, fetched.bytes);
    onProgress({ status: 'success' });
  } finally {
    release();
  }
}

async function downloadLayer(
  deps: PullDeps,
  source: PullSource,
  layer: ManifestLayer,
  onProgress: OnProgress,
  signal?: AbortSignal
) {
  const digest = parseDigest(layer.digest);
  const status = `pulling ${digestHex(digest).slice(0, 12)}`;
  const target = deps.layout.blobPath(digest);
  if (await exists(target)) {
    onProgress({ status, digest: layer.digest, total: layer.size, completed: layer.size });
    return;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await downloadOnce(
        deps,
        source,
        layer,
        (completed) => onProgress({ status, digest: layer.digest, total: layer.size, completed }),
        signal
      );
      return;
    } catch (err) {
      if (err instanceof DomainError || signal?.aborted || attempt >= ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/** One attempt: resume from the partial file, stream the rest, verify, rename. */
async function downloadOnce(
  deps: PullDeps,
  source: PullSource,
  layer: ManifestLayer,
  progress: (completed: number) => void,
  signal?: AbortSignal
): Promise<void> {
  const digest = parseDigest(layer.digest);
  const partial = deps.layout.partialPath(digest);
  await fs.mkdir(deps.layout.blobs, { recursive: true });
  let offset = await fs.stat(partial).then(
    (s) => s.size,
    () => 0
  );
  if (offset > layer.size) offset = 0;
  let hash = offset > 0 ? await hashFile(partial) : crypto.createHash('sha256');

  if (offset < layer.size) {
    const url = `${repoUrl(source)}/blobs/${digest}`;
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const response = await (deps.fetch ?? fetch)(url, {
      headers: authorized(deps, headers),
      signal
    });
    if (response.status === 200 && offset > 0) {
      // The server ignored the Range header: start over.
      offset = 0;
      hash = crypto.createHash('sha256');
    } else if (response.status === 206) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== offset)
        throw new Error(`registry resumed at byte ${start}, expected ${offset}`);
    } else if (response.status === 404) {
      throw new NotFoundError(`pull blob ${layer.digest}: not found in registry`);
    } else if (!response.ok) {
      throw new Error(`pull blob ${layer.digest}: registry answered ${response.status}`);
    }
    if (!response.body) throw new Error(`pull blob ${layer.digest}: empty response`);
    let completed = offset;
    let last = 0;
    progress(completed);
    const counter = new Writable({
      write(chunk: Buffer, _enc, callback) {
        hash.update(chunk);
        completed += chunk.length;
        const now = Date.now();
        if (now - last >= PROGRESS_INTERVAL_MS) {
          last = now;
          progress(completed);
        }
        file.write(chunk, callback);
      },
      final(callback) {
        file.end(callback);
      }
    });
    const file = createWriteStream(partial, { flags: offset > 0 ? 'a' : 'w' });
    try {
      await pipeline(response.body, counter);
    } finally {
      if (!file.closed) await new Promise((resolve) => file.close(resolve));
    }
    progress(completed);
  } else {
    progress(offset);
  }

  const size = (await fs.stat(partial)).size;
  // Short: keep the partial and let the next attempt resume it.
  if (size < layer.size)
    throw new Error(`pull blob ${layer.digest}: download ended at byte ${size} of ${layer.size}`);
  const actual = hash.digest('hex');
  if (size !== layer.size || actual !== digestHex(digest)) {
    await fs.rm(partial, { force: true });
    throw new UpstreamError(
      `pull blob ${layer.digest}: digest mismatch (got sha256:${actual}, ${size} bytes)`
    );
  }
  await fs.rename(partial, deps.layout.blobPath(digest));
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err as Error).message;
}
