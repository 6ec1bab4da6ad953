/**
 * Ollama HTTP API wire types — the one place they are declared. The browser engines,
 * the Node server, the CLI and the widget all speak these shapes, so a chunk from
 * wllama in a tab and a chunk from /api/chat on the server are interchangeable.
 * Durations are nanoseconds, as in Ollama.
 */
import type { Options } from './options';
import type { Message } from './requests';

/**
 * Request types are derived from the schemas the server validates with (./requests);
 * they are re-exported here so every wire type has one address. Responses, which the
 * server produces and never validates, are plain interfaces below.
 */
export type {
  ChatRequest,
  CopyRequest,
  CreateRequest,
  DeleteRequest,
  EmbedRequest,
  EmbeddingsRequest,
  Format,
  GenerateRequest,
  KeepAlive,
  Message,
  PullRequest,
  PushRequest,
  RequestMessage,
  Role,
  ShowRequest,
  Tool,
  ToolCall
} from './requests';

/** Sampling and runtime options (Ollama's `options` object). */
export type { Options };

export type DoneReason = 'stop' | 'length' | 'load' | 'unload' | 'abort';

/** Metrics on the final chunk of a generate/chat stream. */
export interface Metrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface GenerateResponse extends Metrics {
  model: string;
  created_at: string;
  response: string;
  thinking?: string;
  done: boolean;
  done_reason?: DoneReason;
  context?: number[];
}

export interface ChatResponse extends Metrics {
  model: string;
  created_at: string;
  message: Message;
  done: boolean;
  done_reason?: DoneReason;
}

export interface EmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

export interface EmbeddingsResponse {
  embedding: number[];
}

export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
}

export interface ListModel {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: ModelDetails;
}

export interface ListResponse {
  models: ListModel[];
}

export interface ProcessModel {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: ModelDetails;
  expires_at: string;
  size_vram: number;
  context_length?: number;
}

export interface ProcessResponse {
  models: ProcessModel[];
}

export type Capability = 'completion' | 'embedding' | 'tools' | 'insert' | 'vision' | 'thinking';

export interface ShowResponse {
  license?: string;
  modelfile: string;
  parameters?: string;
  template?: string;
  system?: string;
  details: ModelDetails;
  messages?: Message[];
  model_info?: Record<string, unknown>;
  capabilities?: Capability[];
  modified_at?: string;
}

/** One status line of a streamed create / pull. */
export interface ProgressResponse {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface VersionResponse {
  version: string;
}

export interface ErrorResponse {
  error: string;
}

/** Registry (OCI-like) manifest, as stored under manifests/ and served at /v2/.../manifests. */
export interface ManifestLayer {
  mediaType: string;
  digest: string;
  size: number;
  from?: string;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType: string;
  config: ManifestLayer;
  layers: ManifestLayer[];
}

export const MEDIA_TYPES = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  model: 'application/vnd.ollama.image.model',
  adapter: 'application/vnd.ollama.image.adapter',
  projector: 'application/vnd.ollama.image.projector',
  template: 'application/vnd.ollama.image.template',
  system: 'application/vnd.ollama.image.system',
  params: 'application/vnd.ollama.image.params',
  messages: 'application/vnd.ollama.image.messages',
  license: 'application/vnd.ollama.image.license'
} as const;
