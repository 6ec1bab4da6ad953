import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoEngine, chooseEngine } from '../../src/lib/engines/select';
import type { DeviceProbe, WebGpuProbe } from '../../src/lib/device/types';
import type { CatalogModel } from '../../src/lib/models/types';

function probe(webgpu: WebGpuProbe, extra: Partial<DeviceProbe> = {}): DeviceProbe {
  return {
    webgpu,
    deviceMemoryGiB: 8,
    cores: 2,
    crossOriginIsolated: true,
    storage: { quota: 10e9, usage: 0, persisted: false },
    wasmMemory64: true,
    wasmSimd: true,
    ...extra
  };
}

const noGpu = probe({ available: false, reason: 'requestAdapter returned no adapter' });
const swiftShader = probe({ available: true, isFallbackAdapter: true, shaderF16: false });
const realGpu = probe({ available: true, isFallbackAdapter: false, shaderF16: true });
const gpuNoF16 = probe({ available: true, isFallbackAdapter: false, shaderF16: false });

const gguf: CatalogModel = {
  id: 'gguf:stories260k',
  name: 'stories260K',
  format: 'gguf',
  quantization: 'F32',
  sizeBytes: 1_185_472,
  memoryBytes: 70e6,
  completionOnly: true,
  source: { kind: 'file', fileName: 'stories260K.gguf' },
  builtin: false
};
const mlcF16: CatalogModel = {
  id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
  name: 'Qwen2.5 0.5B',
  format: 'mlc',
  quantization: 'q4f16_1',
  sizeBytes: 0,
  memoryBytes: 1e9,
  needsShaderF16: true,
  source: { kind: 'mlc-prebuilt' },
  builtin: true
};
const mlcF32: CatalogModel = {
  ...mlcF16,
  id: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
  quantization: 'q4f32_1',
  needsShaderF16: false
};

describe('chooseEngine', () => {
  it('runs GGUF models on WASM whatever the GPU and override', () => {
    for (const p of [noGpu, swiftShader, realGpu]) {
      for (const o of ['auto', 'webgpu', 'wasm'] as const) {
        const choice = chooseEngine(gguf, p, o);
        expect(choice.kind).toBe('wasm');
        expect(choice.reason).toContain('GGUF models run on the WASM engine');
      }
    }
    expect(chooseEngine(gguf, realGpu, 'webgpu').reason).toContain('MLC models only');
  });

  it('says when WASM is single-threaded for lack of cross-origin isolation', () => {
    const p = probe({ available: false, reason: 'x' }, { crossOriginIsolated: false });
    expect(chooseEngine(gguf, p, 'auto').reason).toContain('not cross-origin isolated');
  });

  it('refuses MLC models without WebGPU, naming the cause and the fix', () => {
    const choice = chooseEngine(mlcF32, noGpu, 'auto');
    expect(choice.kind).toBeNull();
    expect(choice.reason).toContain('MLC models need WebGPU');
    expect(choice.reason).toContain('requestAdapter returned no adapter');
    expect(choice.reason).toContain('start Chromium with WebGPU enabled');
  });

  it('refuses MLC models when the override forces WASM', () => {
    const choice = chooseEngine(mlcF32, realGpu, 'wasm');
    expect(choice.kind).toBeNull();
    expect(choice.reason).toMatch(/MLC models need WebGPU/);
  });

  it('needs shader-f16 for f16 variants and points to the q4f32 one', () => {
    expect(chooseEngine(mlcF16, gpuNoF16, 'auto')).toEqual({
      kind: null,
      reason: expect.stringContaining('q4f32'),
      key: 'mlcNoShaderF16',
      params: { name: mlcF16.name }
    });
    expect(chooseEngine(mlcF16, realGpu, 'auto').kind).toBe('webgpu');
    expect(chooseEngine(mlcF32, gpuNoF16, 'auto').kind).toBe('webgpu');
  });

  it('allows MLC on a fallback adapter but warns it is slow', () => {
    const choice = chooseEngine(mlcF32, swiftShader, 'auto');
    expect(choice.kind).toBe('webgpu');
    expect(choice.reason).toMatch(/fallback adapter.*slow/);
  });
});

describe('autoEngine (device-level choice shown before a model is picked)', () => {
  it('falls back to WASM without WebGPU and says why', () => {
    expect(autoEngine(noGpu)).toEqual({
      kind: 'wasm',
      reason:
        'WebGPU unavailable: requestAdapter returned no adapter (start Chromium with WebGPU enabled, e.g. --enable-unsafe-webgpu on Linux) — using WASM',
      key: 'webgpuMissing',
      params: { reason: 'requestAdapter returned no adapter' }
    });
  });

  it('prefers WASM over a software fallback adapter', () => {
    const choice = autoEngine(swiftShader);
    expect(choice.kind).toBe('wasm');
    expect(choice.reason).toContain('software fallback adapter');
  });

  it('prefers a real GPU and reports shader-f16', () => {
    expect(autoEngine(realGpu)).toEqual({
      kind: 'webgpu',
      reason: 'WebGPU available with shader-f16',
      key: 'webgpuF16',
      params: {}
    });
    expect(autoEngine(gpuNoF16).reason).toContain('q4f32 models only');
  });

  it('honours overrides, except WebGPU where there is none', () => {
    expect(autoEngine(realGpu, 'wasm').kind).toBe('wasm');
    expect(autoEngine(swiftShader, 'webgpu').kind).toBe('webgpu');
    const forced = autoEngine(noGpu, 'webgpu');
    expect(forced.kind).toBe('wasm');
    expect(forced.reason).toContain('despite the setting');
  });
});

describe('chooseEngine with server models', () => {
  const server: CatalogModel = {
    id: 'server:stories:latest',
    name: 'stories:latest',
    format: 'gguf',
    quantization: 'F32',
    sizeBytes: 1_185_472,
    memoryBytes: 0,
    source: { kind: 'server', name: 'stories:latest' },
    builtin: false
  };

  it('runs them on the server whatever the device and override', () => {
    for (const p of [noGpu, swiftShader, realGpu, probe(noGpu.webgpu, { wasmMemory64: false })]) {
      for (const o of ['auto', 'webgpu', 'wasm'] as const) {
        expect(chooseEngine(server, p, o)).toEqual({
          kind: 'remote',
          reason: 'Runs on the Hearth server',
          key: 'server',
          params: {}
        });
      }
    }
  });

  it('leaves in-browser GGUF models of the same name on WASM', () => {
    const local = {
      ...server,
      id: 'portal:stories:latest',
      source: { kind: 'url' as const, url: '/v2/x' }
    };
    expect(chooseEngine(local, realGpu, 'auto').kind).toBe('wasm');
  });
});

describe('engine reasons are translatable', () => {
  const dictionaries = ['en', 'zh-CN'].map(
    (code) =>
      JSON.parse(
        readFileSync(
          path.resolve(import.meta.dirname, `../../src/lib/i18n/${code}/engines.json`),
          'utf8'
        )
      ).reasons as Record<string, string>
  );

  it('has every reason key, with the same placeholders, in en and zh-CN', () => {
    const choices = [
      ...[noGpu, swiftShader, realGpu, gpuNoF16].flatMap((p) =>
        (['auto', 'webgpu', 'wasm'] as const).flatMap((o) => [
          autoEngine(p, o),
          chooseEngine(gguf, p, o),
          chooseEngine(mlcF16, p, o),
          chooseEngine(mlcF32, p, o),
          chooseEngine(gguf, { ...p, crossOriginIsolated: false }, o)
        ])
      )
    ];
    const keys = new Set(choices.map((c) => c.key));
    expect(keys.size).toBeGreaterThan(12);
    for (const key of keys) {
      const choice = choices.find((c) => c.key === key)!;
      const english = dictionaries[0][key];
      // The English dictionary says exactly what the code says.
      expect(english.replace(/\{(\w+)\}/g, (_, n: string) => choice.params[n])).toBe(choice.reason);
      const placeholders = (text: string) =>
        [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(placeholders(dictionaries[1][key])).toEqual(placeholders(english));
    }
  });
});
