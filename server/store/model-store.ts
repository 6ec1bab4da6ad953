/**
 * The contract the rest of the server codes against. The implementation (Ollama's
 * manifests/ + blobs/ layout) lives beside this file; see DESIGN.md "One weights store".
 */
import type { ListModel, Message, ModelDetails, Options, ShowResponse } from '../../src/lib/ollama/types';

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

export class ModelNotFoundError extends Error {
  readonly status = 404;
  constructor(name: string) {
    super(`model '${name}' not found`);
    this.name = 'ModelNotFoundError';
  }
}

export interface ModelStore {
  readonly root: string;
  resolve(name: string): Promise<ResolvedModel>;
  list(): Promise<ListModel[]>;
  show(name: string, verbose?: boolean): Promise<ShowResponse>;
}
