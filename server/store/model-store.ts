/**
 * The contract the rest of the server codes against. The implementation (Ollama's
 * manifests/ + blobs/ layout) lives beside this file; see DESIGN.md "One weights store".
 */
import type { Readable } from 'node:stream';
import type {
  ListModel,
  Message,
  ModelDetails,
  Options,
  ProgressResponse,
  ShowResponse
} from '#protocol/ollama/types';
import type { ModelName, ModelReference } from '#protocol/ollama/names';
import { NotFoundError } from '../domain-errors';

/** A model name resolved to files on disk and the settings its manifest carries. */
export interface ResolvedModel {
  /** Display name, e.g. "stories:latest". */
  name: string;
  /** sha256 of the manifest, as /api/tags reports it (hex, no prefix). */
  digest: string;
  /** Absolute path of the GGUF model blob. */
  modelPath: string;
  /** Ollama Go-template text from the template layer, if any. */
  template?: string;
  system?: string;
  parameters: Options;
  messages: Message[];
  license: string[];
  details: ModelDetails;
  /** Sum of the layer sizes. */
  size: number;
  modifiedAt: Date;
}

export class ModelNotFoundError extends NotFoundError {
  constructor(name: string) {
    super(`model '${name}' not found`, { code: 'model_not_found', params: { model: name } });
    this.name = 'ModelNotFoundError';
  }
}

export type OnProgress = (progress: ProgressResponse) => void;

/**
 * A create or pull whose inputs have been checked (bad input throws a DomainError
 * from prepare*, before any byte is written or a stream begins). commit does the work.
 */
export interface PreparedOperation {
  commit(onProgress: OnProgress, signal?: AbortSignal): Promise<void>;
  /** Releases what prepare reserved when commit will not be called. */
  cancel(): void;
}

/** What inference and listing need: read-only name resolution. */
export interface ModelStore {
  readonly root: string;
  resolve(name: string): Promise<ResolvedModel>;
  list(): Promise<ListModel[]>;
  show(name: string, verbose?: boolean): Promise<ShowResponse>;
}

/**
 * The management side (create, pull, blobs, copy, delete) the model API needs. Names
 * and digests may come checked (the routes parse them at the edge) or as text, which
 * the store checks with the same parsers: a bad one is a 400 either way.
 */
export interface ModelManager extends ModelStore {
  resolve(name: string | ModelName): Promise<ResolvedModel>;
  show(name: string | ModelName, verbose?: boolean): Promise<ShowResponse>;
  /** Absolute path of a blob ("sha256:<hex>"), whether or not it exists. */
  blobPath(digest: string): string;
  /** True when the blob is stored; also refreshes its age so a prune spares it for a create. */
  hasBlob(digest: string): Promise<boolean>;
  /** Streams a blob in, verifying its sha256; created=false when it was already stored. */
  writeBlob(
    digest: string,
    source: Readable | AsyncIterable<Uint8Array>
  ): Promise<{ created: boolean; size: number }>;
  /** Ollama's CreateRequest (`model`/`name`, `from` or `files`, template, system, parameters…). */
  prepareCreate(request: unknown, onProgress?: OnProgress): Promise<PreparedOperation>;
  create(request: unknown, onProgress?: OnProgress): Promise<void>;
  /** `name` may carry the registry: "http://host:port/ns/model:tag", "host:port/ns/model". */
  preparePull(
    name: string | ModelReference,
    options?: { insecure?: boolean },
    onProgress?: OnProgress
  ): Promise<PreparedOperation>;
  pull(
    name: string | ModelReference,
    options?: { insecure?: boolean },
    onProgress?: OnProgress,
    signal?: AbortSignal
  ): Promise<void>;
  copy(source: string | ModelName, destination: string | ModelName): Promise<void>;
  delete(name: string | ModelName): Promise<void>;
  /** Removes blobs no manifest references (sparing ones younger than the grace period). */
  prune(options?: { graceMs?: number }): Promise<string[]>;
  /**
   * The stored manifest bytes for the registry's /v2/<namespace>/<model>/manifests/<tag>
   * (the name's host is ignored: the URL has none).
   */
  registryManifest(repository: ModelName): Promise<Buffer | undefined>;
}

/** Lets the model API accept the context's ModelStore and insist on the full store. */
export function asModelManager(store: ModelStore): ModelManager {
  const needed = [
    'blobPath',
    'hasBlob',
    'writeBlob',
    'prepareCreate',
    'preparePull',
    'copy',
    'delete',
    'prune',
    'registryManifest'
  ];
  const missing = needed.filter(
    (m) => typeof (store as unknown as Record<string, unknown>)[m] !== 'function'
  );
  if (missing.length > 0)
    throw new Error(`the model store cannot manage models (missing ${missing.join(', ')})`);
  return store as ModelManager;
}
