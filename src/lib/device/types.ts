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
  /** memory64: the package's llama.cpp build, the only one for GGUFs over 3 GiB. */
  wasmMemory64: boolean;
  /** wasm SIMD: Hearth's faster wasm32 builds, for GGUFs up to 3 GiB. */
  wasmSimd: boolean;
}
