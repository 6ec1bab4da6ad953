/**
 * What this browser can run: WebGPU adapter and limits, memory, cores, isolation,
 * storage, wasm memory64. Probed once and cached — requestAdapter is slow on some GPUs.
 */
import type { DeviceProbe, WebGpuProbe } from './types';

let cached: Promise<DeviceProbe> | null = null;

export function probeDevice(options: { refresh?: boolean } = {}): Promise<DeviceProbe> {
  if (!cached || options.refresh) cached = runProbe();
  return cached;
}

async function runProbe(): Promise<DeviceProbe> {
  const nav = (typeof navigator !== 'undefined' ? navigator : undefined) as
    (Navigator & { deviceMemory?: number; gpu?: GpuLike }) | undefined;
  const [webgpu, storage] = await Promise.all([probeWebGpu(nav?.gpu), probeStorage(nav?.storage)]);
  return {
    webgpu,
    deviceMemoryGiB: typeof nav?.deviceMemory === 'number' ? nav.deviceMemory : null,
    cores: nav?.hardwareConcurrency ?? 1,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    storage,
    wasmMemory64: supportsWasmMemory64(),
    wasmSimd: supportsWasmSimd()
  };
}

/** The slice of the WebGPU API the probe reads (keeps this testable without @webgpu/types). */
interface AdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

export async function probeWebGpu(gpu: GpuLike | undefined): Promise<WebGpuProbe> {
  if (!gpu) {
    return {
      available: false,
      reason:
        globalThis.isSecureContext === false
          ? 'navigator.gpu is missing: WebGPU needs a secure context (https or localhost)'
          : 'navigator.gpu is missing: this browser has no WebGPU'
    };
  }
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { available: false, reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) {
    return {
      available: false,
      reason: 'requestAdapter returned no adapter (GPU blocklisted or WebGPU disabled)'
    };
  }
  const info = adapter.info ?? {};
  return {
    available: true,
    vendor: info.vendor || undefined,
    architecture: info.architecture || undefined,
    description: info.description || undefined,
    // Chromium moved the flag from the adapter to adapter.info; read both.
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize
  };
}

async function probeStorage(storage: StorageManager | undefined): Promise<DeviceProbe['storage']> {
  if (!storage) return { quota: null, usage: null, persisted: null };
  const [estimate, persisted] = await Promise.all([
    storage.estimate?.().catch(() => undefined),
    storage.persisted?.().catch(() => null)
  ]);
  return {
    quota: estimate?.quota ?? null,
    usage: estimate?.usage ?? null,
    persisted: persisted ?? null
  };
}

/**
 * A minimal module declaring a memory64 memory ("i64" index type): header, then a memory
 * section with flags 0x04 (64-bit) and min 1 page. validate() is false where unsupported.
 */
const MEMORY64_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x04, 0x01
]);

export function supportsWasmMemory64(): boolean {
  try {
    return typeof WebAssembly !== 'undefined' && WebAssembly.validate(MEMORY64_MODULE);
  } catch {
    return false;
  }
}

/**
 * The smallest module using a SIMD instruction: `() -> v128 { i8x16.splat(i32.const 0) }`.
 * Browsers without wasm SIMD (Safari before 16.4) reject it.
 */
// prettier-ignore
const SIMD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: one func type () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b // code: i32.const 0; i8x16.splat; end
]);

export function supportsWasmSimd(): boolean {
  try {
    return typeof WebAssembly !== 'undefined' && WebAssembly.validate(SIMD_MODULE);
  } catch {
    return false;
  }
}

/** Ask the browser not to evict our weights under storage pressure. */
export async function requestPersistentStorage(): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false;
  return navigator.storage.persist();
}
