/** What the device probe found; the fit rules and the engine choice read only this. */
export interface WebGpuProbe {
  available: boolean;
  /** Why not, when unavailable ("navigator.gpu missing", "no adapter"). */
  reason?: string;
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  shaderF16?: boolean;
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

export interface DeviceProbe {
  webgpu: WebGpuProbe;
  /** navigator.deviceMemory in GiB (Chromium caps it at 8); null when not exposed. */
  deviceMemoryGiB: number | null;
  cores: number;
  crossOriginIsolated: boolean;
  storage: { quota: number | null; usage: number | null; persisted: boolean | null };
  /** wasm64 / JSPI support changes how big a GGUF wllama can address. */
  wasmMemory64: boolean;
}
