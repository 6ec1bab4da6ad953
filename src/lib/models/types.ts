/** What the browser catalog knows about a model, before and after download. */

export type ModelFormat = 'mlc' | 'gguf';

export type ModelSource =
  /** web-llm's own prebuiltAppConfig entry, fetched and cached by web-llm itself. */
  | { kind: 'mlc-prebuilt' }
  /**
   * A GGUF at a URL (a hub, a LAN mirror, or a Hearth portal's blob endpoint). `portal` is
   * the portal's model name when the portal listed it (/api/portal/weights).
   */
  | { kind: 'url'; url: string; portal?: string }
  /** MLC weights and model library hosted by a Hearth portal (web-llm fetches them). */
  | { kind: 'mlc-portal'; portal: string; model: string; modelLib: string }
  /** A model that runs on the Hearth server itself (/api/tags); nothing is downloaded. */
  | { kind: 'server'; name: string }
  /** A GGUF the user picked or dropped (the air-gapped "USB stick" case). */
  | { kind: 'file'; fileName: string };

export interface CatalogModel {
  /**
   * Stable id: web-llm's model_id for MLC models, "gguf:<slug>" for GGUF, "portal:<name>"
   * (GGUF) and "portal-mlc:<name>" for weights from a Hearth portal, "server:<name>" for
   * models that run on the server.
   */
  id: string;
  name: string;
  format: ModelFormat;
  /** "q4f16_1", "q4f32_1", "Q4_K_M", "F32"… */
  quantization: string;
  /** Download size in bytes (0 when unknown until the first response). */
  sizeBytes: number;
  /** True when sizeBytes is an estimate (web-llm lists VRAM, not download size). */
  sizeEstimated?: boolean;
  /** Memory the engine needs to run it (VRAM for WebGPU, wasm heap for WASM). */
  memoryBytes: number;
  contextLength?: number;
  /** MLC variants that need the `shader-f16` WebGPU feature. */
  needsShaderF16?: boolean;
  /** Largest single GPU buffer the model binds (web-llm's buffer_size_required_bytes). */
  largestBufferBytes?: number;
  /** A base model with no chat template: the chat UI sends plain completion prompts. */
  completionOnly?: boolean;
  source: ModelSource;
  /** Expected digest (hex) when the catalog knows it; otherwise computed on download. */
  sha256?: string;
  /** True for entries that ship with Hearth; false for ones the user added. */
  builtin: boolean;
}

export type DownloadStatus = 'none' | 'partial' | 'verifying' | 'ready' | 'error';

/** Where a model's weights stand in this browser. */
export interface ModelState {
  id: string;
  status: DownloadStatus;
  bytesStored: number;
  totalBytes: number;
  /** Hex sha256, set once verified. */
  sha256?: string;
  /**
   * The sha256 the model's hub declared when the download started (see models/hub-digest);
   * the bytes must match it, as they must match a catalog entry's own.
   */
  declaredSha256?: string;
  error?: string;
  /** i18n key (under models.errors) and values for `error`, so the UI can translate it. */
  errorKey?: string;
  errorParams?: Record<string, string | number>;
  updatedAt: number;
}

/** Where a model runs: WebGPU in the tab, WASM on the CPU in the tab, or a server. */
export type EngineKind = 'webgpu' | 'wasm' | 'remote';
