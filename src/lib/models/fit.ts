/**
 * Fit rules: can this device run this model on this engine? Pure functions of the catalog
 * entry and the device probe, so they are unit-tested without a browser. Each verdict has
 * an English reason plus a key and values the UI translates (models.fit.<key>).
 */
import type { DeviceProbe } from '../device/types';
import { fillTemplate, formatBytes } from '../util/format';
import type { CatalogModel } from './types';

export type FitKind = 'fits' | 'tight' | 'does-not-fit';

export interface FitVerdict {
  verdict: FitKind;
  reason: string;
  key: FitReasonKey;
  params: Record<string, string>;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * wllama 3.8.1 builds its wasm with -sMAXIMUM_MEMORY=4096MB (both its memory64 build and
 * the wasm32 "compat" build), and llama.cpp reads all weights into that heap, so weights +
 * KV cache + compute buffers must stay under 4 GiB. Past ~3 GiB the heap growth may fail
 * on a busy device, so call it tight.
 */
export const WASM_HEAP_LIMIT = 4 * GIB;
const WASM_HEAP_COMFORT = 3 * GIB;
/**
 * Largest GGUF given to Hearth's wasm32 SIMD builds (engines/wllama-build.ts): their heap
 * also ends at 4 GiB, and 3 GiB of weights leaves about 1 GiB for the KV cache and compute
 * buffers at the default 4k context. Bigger weights need the package's memory64 build.
 */
export const WASM32_MAX_MODEL_BYTES = 3 * GIB;
/** web-llm asks for at least a 128 MiB storage-buffer binding (its fallback minimum). */
const MLC_MIN_BINDING = 128 * MIB;

const REASONS = {
  webgpuUnavailable: 'WebGPU is unavailable: {reason}',
  mlcNeedsWebgpu: 'MLC models run only on WebGPU',
  ggufNeedsWasm: 'GGUF models run on the WASM engine',
  noShaderF16: 'Needs shader-f16, this GPU lacks it — use the q4f32 variant',
  bufferTooLarge: 'Needs a {needed} GPU buffer binding; this GPU allows {limit}',
  noMemory64: 'Over 3 GiB, this model needs WebAssembly memory64, which this browser lacks',
  noWasmEngine:
    'This browser lacks both WebAssembly SIMD and memory64; the WASM engine needs one of them',
  wasmHeapLimit: 'Needs {needed} of memory; the WASM engine can address at most {limit}',
  wasmHeapTight: 'Needs {needed}, close to the WASM engine’s {limit} limit',
  noStorage: 'Not enough storage: needs {needed} more, {free} free — delete models to make room',
  memoryOver: 'Needs {needed}; this device reports only {device} of RAM',
  memoryTight: 'Needs {needed}; this device reports {device} of RAM — it may be slow or fail',
  fallbackAdapter:
    'Needs {needed}; runs on a software GPU (fallback adapter), expect it to be slow',
  fits: 'Fits: needs {needed}',
  sizeUnknown: 'Size unknown until the download starts',
  fitsUnknownRam: 'Should fit: needs {needed} (this browser does not report its RAM)',
  runsOnServer: 'Fits: runs on the Hearth server, not on this device'
} as const;

export type FitReasonKey = keyof typeof REASONS;

function verdict(
  kind: FitKind,
  key: FitReasonKey,
  params: Record<string, string> = {}
): FitVerdict {
  const reason = fillTemplate(REASONS[key], params);
  return { verdict: kind, reason, key, params };
}

export interface FitOptions {
  /** Bytes of this model already stored (a partial or finished download). */
  bytesStored?: number;
}

export function fitVerdict(
  model: CatalogModel,
  probe: DeviceProbe,
  engine: 'webgpu' | 'wasm',
  options: FitOptions = {}
): FitVerdict {
  // The server's own memory is its admin's business: nothing here limits it.
  if (model.source.kind === 'server') return verdict('fits', 'runsOnServer');
  const needed = formatBytes(model.memoryBytes);
  if (engine === 'webgpu') {
    if (!probe.webgpu.available) {
      return verdict('does-not-fit', 'webgpuUnavailable', {
        reason: probe.webgpu.reason ?? 'no adapter'
      });
    }
    if (model.format !== 'mlc') return verdict('does-not-fit', 'ggufNeedsWasm');
    if (model.needsShaderF16 && !probe.webgpu.shaderF16) {
      return verdict('does-not-fit', 'noShaderF16');
    }
    const buffer = model.largestBufferBytes ?? MLC_MIN_BINDING;
    const limit = probe.webgpu.maxStorageBufferBindingSize;
    if (limit !== undefined && buffer > limit) {
      return verdict('does-not-fit', 'bufferTooLarge', {
        needed: formatBytes(buffer),
        limit: formatBytes(limit)
      });
    }
  } else {
    if (model.format !== 'gguf') return verdict('does-not-fit', 'mlcNeedsWebgpu');
    if (!probe.wasmMemory64 && !(probe.wasmSimd && model.sizeBytes <= WASM32_MAX_MODEL_BYTES)) {
      return verdict('does-not-fit', probe.wasmSimd ? 'noMemory64' : 'noWasmEngine');
    }
    if (model.memoryBytes > WASM_HEAP_LIMIT) {
      return verdict('does-not-fit', 'wasmHeapLimit', {
        needed,
        limit: formatBytes(WASM_HEAP_LIMIT)
      });
    }
  }

  if (model.memoryBytes <= 0) return verdict('fits', 'sizeUnknown');

  const storage = storageVerdict(model, probe, options.bytesStored ?? 0);
  if (storage) return storage;

  const ram = ramVerdict(model, probe);
  if (ram.verdict !== 'fits') return ram;
  if (engine === 'wasm' && model.memoryBytes > WASM_HEAP_COMFORT) {
    return verdict('tight', 'wasmHeapTight', { needed, limit: formatBytes(WASM_HEAP_LIMIT) });
  }
  if (engine === 'webgpu' && probe.webgpu.isFallbackAdapter) {
    return verdict('tight', 'fallbackAdapter', { needed });
  }
  return ram;
}

function storageVerdict(
  model: CatalogModel,
  probe: DeviceProbe,
  bytesStored: number
): FitVerdict | null {
  const { quota, usage } = probe.storage;
  if (quota === null || usage === null || model.sizeBytes <= 0) return null;
  const remaining = Math.max(0, model.sizeBytes - bytesStored);
  const free = Math.max(0, quota - usage);
  if (remaining <= free) return null;
  return verdict('does-not-fit', 'noStorage', {
    needed: formatBytes(remaining),
    free: formatBytes(free)
  });
}

/**
 * navigator.deviceMemory is rounded down to a power of two and capped (8 GiB in older
 * Chromium, more in newer), so below the cap the real RAM is under twice the reported
 * value: only past that is a model certainly too big.
 */
function ramVerdict(model: CatalogModel, probe: DeviceProbe): FitVerdict {
  const needed = formatBytes(model.memoryBytes);
  const reported = probe.deviceMemoryGiB;
  if (reported === null) return verdict('fits', 'fitsUnknownRam', { needed });
  const device = formatBytes(reported * GIB);
  if (reported < 8 && model.memoryBytes > 2 * reported * GIB) {
    return verdict('does-not-fit', 'memoryOver', { needed, device });
  }
  // Leave half the RAM to the OS, the browser and the page itself.
  if (model.memoryBytes > (reported * GIB) / 2) {
    return verdict('tight', 'memoryTight', { needed, device });
  }
  return verdict('fits', 'fits', { needed });
}
