/**
 * Ollama HTTP API wire types — the one place they are declared. The browser engines,
 * the Node server, the CLI and the widget all speak these shapes, so a chunk from
 * wllama in a tab and a chunk from /api/chat on the server are interchangeable.
 * Durations are nanoseconds, as in Ollama.
 */
import type { Options } from './options';

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCallFunction {
  name: string;
  /** Ollama sends arguments as an object, not a JSON string (OpenAI does the latter). */
  arguments: Record<string, unknown>;
  index?: number;
}

export interface ToolCall {
  function: ToolCallFunction;
}

export interface Message {
  role: Role;
  content: string;
  /** Base64 images; accepted on the wire, refused by text-only models. */
  images?: string[];
  tool_calls?: ToolCall[];
  tool_name?: string;
  thinking?: string;
}

export interface ToolFunctionSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface Tool {
  type: 'function';
  function: ToolFunctionSpec;
}

/** Sampling and runtime options (Ollama's `options` object). */
export type { Options };

/** "json", or a JSON schema object that the output must satisfy. */
export type Format = 'json' | Record<string, unknown>;

/** A duration string ("5m", "1h30s"), seconds as a number, or a negative value for "forever". */
export type KeepAlive = string | number;

export interface GenerateRequest {
  model: string;
  prompt?: string;
  suffix?: string;
  system?: string;
  template?: string;
  context?: number[];
  stream?: boolean;
  raw?: boolean;
  format?: Format;
  images?: string[];
  keep_alive?: KeepAlive;
  options?: Options;
  think?: boolean;
}

export interface ChatRequest {
  model: string;
  messages?: Message[];
  tools?: Tool[];
  stream?: boolean;
  format?: Format;
  keep_alive?: KeepAlive;
  options?: Options;
  think?: boolean;
}

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

export interface EmbedRequest {
  model: string;
  input: string | string[];
  truncate?: boolean;
  keep_alive?: KeepAlive;
  options?: Options;
  dimensions?: number;
}

export interface EmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

/** Legacy /api/embeddings. */
export interface EmbeddingsRequest {
  model: string;
  prompt: string;
  keep_alive?: KeepAlive;
  options?: Options;
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

export interface ShowRequest {
  model?: string;
  /** Legacy field name still sent by older clients. */
  name?: string;
  system?: string;
  verbose?: boolean;
}

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

export interface CreateRequest {
  model?: string;
  name?: string;
  from?: string;
  /** File name → blob digest ("sha256:<hex>"). */
  files?: Record<string, string>;
  adapters?: Record<string, string>;
  template?: string;
  license?: string | string[];
  system?: string;
  parameters?: Record<string, unknown>;
  messages?: Message[];
  stream?: boolean;
  quantize?: string;
}

export interface CopyRequest {
  source: string;
  destination: string;
}

export interface DeleteRequest {
  model?: string;
  name?: string;
}

export interface PullRequest {
  model?: string;
  name?: string;
  insecure?: boolean;
  stream?: boolean;
}

export type PushRequest = PullRequest;

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
