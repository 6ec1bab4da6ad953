/**
 * Which engine runs a model here, and why — the reason is shown to the user, so it names
 * the cause and, where there is one, the fix. Each reason is an English sentence plus a
 * key and values the UI translates (engines.reasons.<key>), like the fit verdicts.
 */
import type { DeviceProbe } from '../device/types';
import type { CatalogModel } from '../models/types';
import type { EngineKind } from './engine';
import { fillTemplate } from '../util/format';

export type EngineOverride = 'auto' | 'webgpu' | 'wasm';
export type LocalEngineKind = 'webgpu' | 'wasm';

const REASONS = {
  wasmChosen: 'WASM chosen in settings',
  webgpuChosen: 'WebGPU chosen in settings',
  webgpuMissingDespiteSetting:
    'WebGPU unavailable: {reason} (start Chromium with WebGPU enabled, e.g. --enable-unsafe-webgpu on Linux) — using WASM despite the setting',
  webgpuMissing:
    'WebGPU unavailable: {reason} (start Chromium with WebGPU enabled, e.g. --enable-unsafe-webgpu on Linux) — using WASM',
  fallbackAdapterWasm:
    'WebGPU is only a software fallback adapter (no real GPU) — using WASM, which is faster on the CPU',
  webgpuF16: 'WebGPU available with shader-f16',
  webgpuNoF16: 'WebGPU available without shader-f16 (q4f32 models only)',
  gguf: 'GGUF models run on the WASM engine',
  ggufSingleThread:
    'GGUF models run on the WASM engine; single-threaded because the page is not cross-origin isolated',
  ggufIgnoresWebgpu:
    'GGUF models run on the WASM engine (the WebGPU setting applies to MLC models only)',
  ggufIgnoresWebgpuSingleThread:
    'GGUF models run on the WASM engine (the WebGPU setting applies to MLC models only); single-threaded because the page is not cross-origin isolated',
  mlcButWasmSetting:
    'MLC models need WebGPU, but the engine is set to WASM — switch the setting to Auto or pick a GGUF model',
  mlcNoWebgpu:
    'MLC models need WebGPU. WebGPU unavailable: {reason} (start Chromium with WebGPU enabled, e.g. --enable-unsafe-webgpu on Linux)',
  mlcNoShaderF16:
    '{name} needs the shader-f16 WebGPU feature, which this GPU lacks — pick its q4f32 variant',
  mlcFallbackSlow:
    'MLC models need WebGPU; only a software fallback adapter is available, so expect it to be slow',
  mlcWebgpu: 'MLC models run on WebGPU',
  server: 'Runs on the Hearth server'
} as const;

export type EngineReasonKey = keyof typeof REASONS;

export interface EngineChoice {
  kind: EngineKind | null;
  /** English, for logs and as the fallback when a translation is missing. */
  reason: string;
  key: EngineReasonKey;
  params: Record<string, string>;
}

/** The device-level choice is always an in-browser engine. */
export type LocalEngineChoice = EngineChoice & { kind: LocalEngineKind };

function choice<K extends EngineKind | null>(
  kind: K,
  key: EngineReasonKey,
  params: Record<string, string> = {}
): EngineChoice & { kind: K } {
  const reason = fillTemplate(REASONS[key], params);
  return { kind, reason, key, params };
}

const gpuReason = (probe: DeviceProbe) => ({ reason: probe.webgpu.reason ?? 'no adapter' });

/**
 * The engine this device prefers before any model is picked (the models page shows it).
 * A software fallback adapter (SwiftShader) emulates the GPU on the CPU and is far slower
 * than llama.cpp's wasm build, so auto picks WASM there.
 */
export function autoEngine(
  probe: DeviceProbe,
  override: EngineOverride = 'auto'
): LocalEngineChoice {
  const gpu = probe.webgpu;
  if (override === 'wasm') return choice('wasm', 'wasmChosen');
  if (override === 'webgpu') {
    return gpu.available
      ? choice('webgpu', 'webgpuChosen')
      : choice('wasm', 'webgpuMissingDespiteSetting', gpuReason(probe));
  }
  if (!gpu.available) return choice('wasm', 'webgpuMissing', gpuReason(probe));
  if (gpu.isFallbackAdapter) return choice('wasm', 'fallbackAdapterWasm');
  return choice('webgpu', gpu.shaderF16 ? 'webgpuF16' : 'webgpuNoF16');
}

/**
 * The engine for one model: server models run on the Hearth server (RemoteEngine), MLC
 * models need WebGPU, GGUF models run on the WASM engine.
 */
export function chooseEngine(
  model: CatalogModel,
  probe: DeviceProbe,
  override: EngineOverride
): EngineChoice {
  if (model.source.kind === 'server') return choice('remote', 'server');
  if (model.format === 'gguf') {
    const isolated = probe.crossOriginIsolated;
    if (override === 'webgpu')
      return choice('wasm', isolated ? 'ggufIgnoresWebgpu' : 'ggufIgnoresWebgpuSingleThread');
    return choice('wasm', isolated ? 'gguf' : 'ggufSingleThread');
  }
  if (override === 'wasm') return choice(null, 'mlcButWasmSetting');
  const gpu = probe.webgpu;
  if (!gpu.available) return choice(null, 'mlcNoWebgpu', gpuReason(probe));
  if (model.needsShaderF16 && !gpu.shaderF16)
    return choice(null, 'mlcNoShaderF16', { name: model.name });
  if (gpu.isFallbackAdapter) return choice('webgpu', 'mlcFallbackSlow');
  return choice('webgpu', 'mlcWebgpu');
}
