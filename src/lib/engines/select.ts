/**
 * Which engine runs a model here, and why — the reason is shown to the user verbatim,
 * so it names the cause and, where there is one, the fix.
 */
import type { DeviceProbe } from '../device/types';
import type { CatalogModel } from '../models/types';

export type EngineOverride = 'auto' | 'webgpu' | 'wasm';
export type LocalEngineKind = 'webgpu' | 'wasm';

export interface EngineChoice {
  kind: LocalEngineKind | null;
  reason: string;
}

const ENABLE_HINT = 'start Chromium with WebGPU enabled, e.g. --enable-unsafe-webgpu on Linux';

function webGpuUnavailable(probe: DeviceProbe): string {
  return `WebGPU unavailable: ${probe.webgpu.reason ?? 'no adapter'} (${ENABLE_HINT})`;
}

/**
 * The engine this device prefers before any model is picked (the models page shows it).
 * A software fallback adapter (SwiftShader) emulates the GPU on the CPU and is far slower
 * than llama.cpp's wasm build, so auto picks WASM there.
 */
export function autoEngine(probe: DeviceProbe, override: EngineOverride = 'auto'): EngineChoice {
  const gpu = probe.webgpu;
  if (override === 'wasm') return { kind: 'wasm', reason: 'WASM chosen in settings' };
  if (override === 'webgpu') {
    return gpu.available
      ? { kind: 'webgpu', reason: 'WebGPU chosen in settings' }
      : { kind: 'wasm', reason: `${webGpuUnavailable(probe)} — using WASM despite the setting` };
  }
  if (!gpu.available) return { kind: 'wasm', reason: `${webGpuUnavailable(probe)} — using WASM` };
  if (gpu.isFallbackAdapter) {
    return {
      kind: 'wasm',
      reason:
        'WebGPU is only a software fallback adapter (no real GPU) — using WASM, which is faster on the CPU'
    };
  }
  const f16 = gpu.shaderF16 ? 'with shader-f16' : 'without shader-f16 (q4f32 models only)';
  return { kind: 'webgpu', reason: `WebGPU available ${f16}` };
}

/** The engine for one model: MLC models need WebGPU; GGUF models run on the WASM engine. */
export function chooseEngine(
  model: CatalogModel,
  probe: DeviceProbe,
  override: EngineOverride
): EngineChoice {
  if (model.format === 'gguf') {
    const note = override === 'webgpu' ? ' (the WebGPU setting applies to MLC models only)' : '';
    const threads = probe.crossOriginIsolated
      ? ''
      : '; single-threaded because the page is not cross-origin isolated';
    return { kind: 'wasm', reason: `GGUF models run on the WASM engine${note}${threads}` };
  }
  if (override === 'wasm') {
    return {
      kind: null,
      reason:
        'MLC models need WebGPU, but the engine is set to WASM — switch the setting to Auto or pick a GGUF model'
    };
  }
  const gpu = probe.webgpu;
  if (!gpu.available)
    return { kind: null, reason: `MLC models need WebGPU. ${webGpuUnavailable(probe)}` };
  if (model.needsShaderF16 && !gpu.shaderF16) {
    return {
      kind: null,
      reason: `${model.name} needs the shader-f16 WebGPU feature, which this GPU lacks — pick its q4f32 variant`
    };
  }
  if (gpu.isFallbackAdapter) {
    return {
      kind: 'webgpu',
      reason:
        'MLC models need WebGPU; only a software fallback adapter is available, so expect it to be slow'
    };
  }
  return { kind: 'webgpu', reason: 'MLC models run on WebGPU' };
}
