import { describe, expect, it } from 'vitest';
import { fitVerdict, WASM32_MAX_MODEL_BYTES, WASM_HEAP_LIMIT } from '../../src/lib/models/fit';
import type { CatalogModel } from '../../src/lib/models/types';
import type { DeviceProbe } from '../../src/lib/device/types';
import { probe } from './helpers/probe';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const mlc = (over: Partial<CatalogModel> = {}): CatalogModel => ({
  id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
  name: 'Qwen',
  format: 'mlc',
  quantization: 'q4f16_1',
  sizeBytes: 300 * MIB,
  memoryBytes: 945 * MIB,
  needsShaderF16: true,
  source: { kind: 'mlc-prebuilt' },
  builtin: true,
  ...over
});

const gguf = (over: Partial<CatalogModel> = {}): CatalogModel => ({
  id: 'gguf:x',
  name: 'x',
  format: 'gguf',
  quantization: 'Q4_K_M',
  sizeBytes: 500 * MIB,
  memoryBytes: 700 * MIB,
  source: { kind: 'url', url: 'https://example.com/x.gguf' },
  builtin: true,
  ...over
});

describe('WebGPU / MLC', () => {
  const cases: Array<[string, CatalogModel, DeviceProbe, string, RegExp]> = [
    [
      'no adapter',
      mlc(),
      probe({ gpu: { available: false, reason: 'requestAdapter returned no adapter' } }),
      'does-not-fit',
      /WebGPU is unavailable: requestAdapter returned no adapter/
    ],
    [
      'f16 model, no shader-f16',
      mlc(),
      probe({ gpu: { shaderF16: false } }),
      'does-not-fit',
      /needs shader-f16, this GPU lacks it — use the q4f32 variant/i
    ],
    [
      'f32 model, no shader-f16',
      mlc({ needsShaderF16: false }),
      probe({ gpu: { shaderF16: false } }),
      'fits',
      /Fits: needs 945 MiB/
    ],
    [
      'buffer over the binding limit',
      mlc({ largestBufferBytes: 262144000 }),
      probe({ gpu: { maxStorageBufferBindingSize: 128 * MIB } }),
      'does-not-fit',
      /Needs a 250 MiB GPU buffer binding; this GPU allows 128 MiB/
    ],
    [
      'below web-llm minimum binding',
      mlc(),
      probe({ gpu: { maxStorageBufferBindingSize: 64 * MIB } }),
      'does-not-fit',
      /GPU buffer binding/
    ],
    [
      'more than half the reported RAM',
      mlc({ memoryBytes: 3 * GIB }),
      probe({ deviceMemoryGiB: 4 }),
      'tight',
      /reports 4.0 GiB of RAM/
    ],
    [
      'beyond twice the reported RAM',
      mlc({ memoryBytes: 5 * GIB }),
      probe({ deviceMemoryGiB: 2 }),
      'does-not-fit',
      /reports only 2.0 GiB/
    ],
    [
      'RAM not reported',
      mlc(),
      probe({ deviceMemoryGiB: null }),
      'fits',
      /does not report its RAM/
    ],
    [
      'software adapter',
      mlc(),
      probe({ gpu: { isFallbackAdapter: true } }),
      'tight',
      /fallback adapter/
    ],
    ['GGUF on WebGPU', gguf(), probe(), 'does-not-fit', /WASM engine/]
  ];
  it.each(cases)('%s', (_, model, device, verdict, reason) => {
    const fit = fitVerdict(model, device, 'webgpu');
    expect(fit.verdict).toBe(verdict);
    expect(fit.reason).toMatch(reason);
  });
});

describe('WASM / GGUF', () => {
  const cases: Array<[string, CatalogModel, DeviceProbe, string, RegExp]> = [
    ['small model', gguf(), probe(), 'fits', /Fits/],
    ['no memory64, SIMD: small model', gguf(), probe({ wasmMemory64: false }), 'fits', /Fits/],
    [
      'no memory64, SIMD: over 3 GiB',
      gguf({ sizeBytes: WASM32_MAX_MODEL_BYTES + 1, memoryBytes: WASM32_MAX_MODEL_BYTES + 1 }),
      probe({ wasmMemory64: false }),
      'does-not-fit',
      /needs WebAssembly memory64/
    ],
    [
      'neither memory64 nor SIMD',
      gguf(),
      probe({ wasmMemory64: false, wasmSimd: false }),
      'does-not-fit',
      /lacks both WebAssembly SIMD and memory64/
    ],
    [
      'over the 4 GiB wasm heap',
      gguf({ memoryBytes: WASM_HEAP_LIMIT + 1 }),
      probe(),
      'does-not-fit',
      /at most 4.0 GiB/
    ],
    [
      'close to the wasm heap',
      gguf({ memoryBytes: 3.5 * GIB }),
      probe(),
      'tight',
      /close to the WASM engine/
    ],
    [
      'storage cannot hold it',
      gguf({ sizeBytes: 2 * GIB }),
      probe({ storage: { quota: 2 * GIB, usage: 1 * GIB, persisted: null } }),
      'does-not-fit',
      /needs 2.0 GiB more, 1.0 GiB free/
    ],
    ['MLC on WASM', mlc(), probe(), 'does-not-fit', /only on WebGPU/]
  ];
  it.each(cases)('%s', (_, model, device, verdict, reason) => {
    const fit = fitVerdict(model, device, 'wasm');
    expect(fit.verdict).toBe(verdict);
    expect(fit.reason).toMatch(reason);
  });

  it('counts bytes already stored against the storage need', () => {
    const device = probe({ storage: { quota: 2 * GIB, usage: 1.5 * GIB, persisted: null } });
    const model = gguf({ sizeBytes: 1 * GIB });
    expect(fitVerdict(model, device, 'wasm').verdict).toBe('does-not-fit');
    expect(fitVerdict(model, device, 'wasm', { bytesStored: 0.6 * GIB }).verdict).toBe('fits');
  });

  it('gives a key and values the UI can translate', () => {
    const fit = fitVerdict(
      gguf({ sizeBytes: 2 * GIB }),
      probe({ storage: { quota: GIB, usage: 0, persisted: null } }),
      'wasm'
    );
    expect(fit.key).toBe('noStorage');
    expect(fit.params).toEqual({ needed: '2.0 GiB', free: '1.0 GiB' });
  });
});
