/**
 * The model store on disk, in Ollama's layout (see layout.ts), so an existing
 * ~/.ollama/models directory works unchanged. Name resolution, listing and /api/show
 * live here; create and pull are in their own modules.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DEFAULT_HOST, displayName, modelNameKey, type ModelName } from '#protocol/ollama/names';
import { MEDIA_TYPES, type ListModel, type ShowResponse } from '#protocol/ollama/types';
import { writeVerifiedBlob } from './blobs';
import { commitCreate, planCreate, type CreateDeps } from './create';
import { capabilities, modelInfo, readGgufInfo } from './gguf-info';
import { digestHex, parseDigest, type Digest } from './digest';
import { Layout, checkedName, exists, sha256Hex, writeFileAtomic } from './layout';
import {
  listManifestNames,
  readManifest,
  removeManifest,
  toResolvedModel,
  writeManifest,
  type StoredManifest
} from './manifests';
import {
  ModelNotFoundError,
  type ModelManager,
  type OnProgress,
  type PreparedOperation,
  type ResolvedModel
} from './model-store';
import { renderModelfile } from '#protocol/modelfile/format';
import { formatParameters } from '#protocol/modelfile/parameters';
import { fetchManifest, pullModel, pullSource, type PullDeps } from './pull';

export interface DiskModelStoreOptions {
  /** Unreferenced blobs younger than this survive a prune: a create may be about to use them. */
  pruneGraceMs?: number;
  fetch?: typeof fetch;
  registryKey?: string;
}

const noProgress: OnProgress = () => {};

export class DiskModelStore implements ModelManager {
  readonly root: string;
  private readonly layout: Layout;
  private readonly pruneGraceMs: number;
  private readonly pins = new Map<string, number>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly deps: CreateDeps & PullDeps;

  constructor(root: string, options: DiskModelStoreOptions = {}) {
    this.root = path.resolve(root);
    this.layout = new Layout(this.root);
    this.pruneGraceMs = options.pruneGraceMs ?? 10 * 60_000;
    this.deps = {
      layout: this.layout,
      putBlob: (bytes) => this.putBlob(bytes),
      pin: (digests) => this.pin(digests),
      exclusive: (digest, fn) => this.exclusive(digestHex(parseDigest(digest)), fn),
      fetch: options.fetch,
      registryKey: options.registryKey
    };
  }

  async init(): Promise<void> {
    await fs.mkdir(this.layout.manifests, { recursive: true });
    await fs.mkdir(this.layout.blobs, { recursive: true });
  }

  async resolve(name: string | ModelName): Promise<ResolvedModel> {
    const stored = await this.stored(name);
    return toResolvedModel(this.layout, stored);
  }

  async list(): Promise<ListModel[]> {
    const models: ListModel[] = [];
    for (const name of await listManifestNames(this.layout)) {
      let resolved: ResolvedModel;
      try {
        const stored = await readManifest(this.layout, name);
        if (!stored) continue;
        resolved = await toResolvedModel(this.layout, stored);
      } catch {
        continue; // One unreadable manifest must not hide every other model.
      }
      models.push({
        name: resolved.name,
        model: resolved.name,
        modified_at: resolved.modifiedAt.toISOString(),
        size: resolved.size,
        digest: resolved.digest,
        details: resolved.details
      });
    }
    return models.sort((a, b) => b.modified_at.localeCompare(a.modified_at));
  }

  async show(name: string | ModelName, verbose = false): Promise<ShowResponse> {
    const stored = await this.stored(name);
    const model = await toResolvedModel(this.layout, stored);
    const info = model.modelPath
      ? await readGgufInfo(model.modelPath).catch(() => undefined)
      : undefined;
    const hasProjector = stored.manifest.layers.some((l) => l.mediaType === MEDIA_TYPES.projector);
    const response: ShowResponse = {
      modelfile: renderModelfile(model),
      details: model.details,
      model_info: info ? modelInfo(info, verbose) : {},
      capabilities: capabilities(info, model.template, hasProjector),
      modified_at: model.modifiedAt.toISOString()
    };
    if (Object.keys(model.parameters).length > 0)
      response.parameters = formatParameters(model.parameters);
    if (model.template !== undefined) response.template = model.template;
    if (model.system !== undefined) response.system = model.system;
    if (model.license.length > 0) response.license = model.license.join('\n');
    if (model.messages.length > 0) response.messages = model.messages;
    return response;
  }

  blobPath(digest: string): string {
    return this.layout.blobPath(parseDigest(digest));
  }

  async hasBlob(digest: string): Promise<boolean> {
    const file = this.layout.blobPath(parseDigest(digest));
    if (!(await exists(file))) return false;
    // Clients HEAD a blob, skip the upload when it exists, then create: keep it young meanwhile.
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => {});
    return true;
  }

  async writeBlob(
    digest: string,
    source: Readable | AsyncIterable<Uint8Array>
  ): Promise<{ created: boolean; size: number }> {
    const checked = parseDigest(digest);
    const target = this.layout.blobPath(checked);
    // Checked inside the lock: two uploads of one blob must not both write it.
    return this.exclusive(digestHex(checked), async () => {
      if (await exists(target)) return { created: false, size: (await fs.stat(target)).size };
      return { created: true, size: await writeVerifiedBlob(target, checked, source) };
    });
  }

  async prepareCreate(
    request: unknown,
    onProgress: OnProgress = noProgress
  ): Promise<PreparedOperation> {
    const plan = await planCreate(this.deps, request, onProgress);
    return {
      commit: (progress) => commitCreate(this.deps, plan, progress),
      cancel: plan.release
    };
  }

  async create(request: unknown, onProgress: OnProgress = noProgress): Promise<void> {
    const prepared = await this.prepareCreate(request, onProgress);
    await prepared.commit(onProgress);
  }

  async preparePull(
    name: string,
    options: { insecure?: boolean } = {},
    onProgress: OnProgress = noProgress
  ): Promise<PreparedOperation> {
    const source = pullSource(name, options.insecure);
    onProgress({ status: 'pulling manifest' });
    const fetched = await fetchManifest(this.deps, source);
    return {
      commit: (progress, signal) => pullModel(this.deps, source, fetched, progress, signal),
      cancel: () => {}
    };
  }

  async pull(
    name: string,
    options: { insecure?: boolean } = {},
    onProgress: OnProgress = noProgress,
    signal?: AbortSignal
  ): Promise<void> {
    const prepared = await this.preparePull(name, options, onProgress);
    await prepared.commit(onProgress, signal);
  }

  async copy(source: string | ModelName, destination: string | ModelName): Promise<void> {
    const target = checkedName(destination);
    const stored = await this.stored(source);
    await writeManifest(this.layout, target, stored.bytes);
  }

  async delete(name: string | ModelName): Promise<void> {
    const stored = await this.stored(name);
    await removeManifest(this.layout, stored.name);
    await this.prune();
  }

  async prune(options: { graceMs?: number } = {}): Promise<string[]> {
    const graceMs = options.graceMs ?? this.pruneGraceMs;
    const referenced = new Set<string>();
    for (const name of await listManifestNames(this.layout)) {
      // A manifest we cannot read might reference anything: then delete nothing.
      const stored = await readManifest(this.layout, name).catch(() => 'unreadable' as const);
      if (stored === 'unreadable') return [];
      if (!stored) continue;
      for (const layer of [stored.manifest.config, ...stored.manifest.layers])
        referenced.add(digestHex(parseDigest(layer.digest)));
    }
    const removed: string[] = [];
    const cutoff = Date.now() - graceMs;
    for (const entry of await fs.readdir(this.layout.blobs).catch(() => [] as string[])) {
      const blob = /^sha256-([0-9a-f]{64})$/.exec(entry);
      const temp = /^sha256-[0-9a-f]{64}-tmp-/.test(entry);
      if (!blob && !temp) continue; // pull partials stay so the pull can resume
      if (blob && (referenced.has(blob[1]) || this.pins.has(blob[1]))) continue;
      const file = path.join(this.layout.blobs, entry);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat || stat.mtimeMs > cutoff) continue;
      await fs.rm(file, { force: true });
      removed.push(blob ? `sha256:${blob[1]}` : entry);
    }
    return removed;
  }

  async registryManifest(repository: ModelName): Promise<Buffer | undefined> {
    // The registry URL has no host: this server's own models first, then (under the
    // host they came from) models it pulled from elsewhere, case-insensitively.
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const candidates = (await listManifestNames(this.layout))
      .filter(
        (name) =>
          same(name.namespace, repository.namespace) &&
          same(name.model, repository.model) &&
          same(name.tag, repository.tag)
      )
      .sort((a, b) => Number(b.host === DEFAULT_HOST) - Number(a.host === DEFAULT_HOST));
    for (const name of candidates) {
      const stored = await readManifest(this.layout, name).catch(() => undefined);
      if (stored) return stored.bytes;
    }
    return undefined;
  }

  /** Reads a manifest by name, trying a case-insensitive match as Ollama does. */
  private async stored(input: string | ModelName): Promise<StoredManifest> {
    const name = checkedName(input);
    const exact = await readManifest(this.layout, name);
    if (exact) return exact;
    const wanted = modelNameKey(name);
    for (const candidate of await listManifestNames(this.layout)) {
      if (modelNameKey(candidate) === wanted) {
        const stored = await readManifest(this.layout, candidate);
        if (stored) return stored;
      }
    }
    throw new ModelNotFoundError(typeof input === 'string' ? input : displayName(input));
  }

  private async putBlob(bytes: Buffer): Promise<{ digest: Digest; created: boolean }> {
    const digest = parseDigest(`sha256:${sha256Hex(bytes)}`);
    const target = this.layout.blobPath(digest);
    if (await exists(target)) return { digest, created: false };
    await writeFileAtomic(target, bytes);
    return { digest, created: true };
  }

  private pin(digests: string[]): () => void {
    const hexes = digests.map((digest) => digestHex(parseDigest(digest)));
    for (const hex of hexes) this.pins.set(hex, (this.pins.get(hex) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const hex of hexes) {
        const count = (this.pins.get(hex) ?? 1) - 1;
        if (count <= 0) this.pins.delete(hex);
        else this.pins.set(hex, count);
      }
    };
  }

  private exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => {});
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return run;
  }
}
