import 'fake-indexeddb/auto';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { fitVerdict } from '../../src/lib/models/fit';
import { builtinGgufModels } from '../../src/lib/models/gguf-builtins';
import {
  freeGgufId,
  getCatalogModel,
  listCatalog,
  saveUserModel,
  slugify
} from '../../src/lib/models/catalog';
import {
  estimateMlcDownloadBytes,
  mlcCatalogFrom,
  mlcNeedsShaderF16,
  mlcQuantization,
  parameterCountFromName,
  type MlcModelRecord
} from '../../src/lib/models/mlc-catalog';
import { freshDatabase } from './helpers/db';
import type { DeviceProbe } from '../../src/lib/device/types';

const records = prebuiltAppConfig.model_list as MlcModelRecord[];
const mlc = mlcCatalogFrom(records);

describe('MLC catalog from web-llm prebuiltAppConfig', () => {
  it('keeps small q4f16 and q4f32 chat models only', () => {
    expect(mlc.length).toBeGreaterThan(10);
    for (const m of mlc) {
      expect(m.quantization).toMatch(/^q4f(16|32)_\d$/);
      expect(m.memoryBytes).toBeLessThanOrEqual(4500 * 1024 * 1024);
      expect(m.id).not.toMatch(/embed|vision|-Base-/i);
      expect(m.sizeEstimated).toBe(true);
      expect(m.format).toBe('mlc');
    }
    const ids = mlc.map((m) => m.id);
    expect(ids).toContain('Llama-3.2-1B-Instruct-q4f16_1-MLC');
    expect(ids).toContain('Llama-3.2-1B-Instruct-q4f32_1-MLC');
    expect(ids).not.toContain('Llama-3.1-8B-Instruct-q4f32_1-MLC'); // 6 GB VRAM
    expect(ids).not.toContain('Llama-3.2-1B-Instruct-q0f32-MLC'); // unquantized
  });

  it('marks every f16 variant as needing shader-f16, and no f32 one', () => {
    for (const m of mlc) expect(m.needsShaderF16).toBe(/q4f16/.test(m.id));
    // web-llm itself lists required_features only on some f16 models
    const llama = records.find((r) => r.model_id === 'Llama-3.2-1B-Instruct-q4f16_1-MLC')!;
    expect(llama.required_features).toBeUndefined();
    expect(mlcNeedsShaderF16(llama)).toBe(true);
  });

  it('a device without shader-f16 keeps only q4f32 models that fit', () => {
    const probe: DeviceProbe = {
      webgpu: {
        available: true,
        shaderF16: false,
        isFallbackAdapter: true,
        maxBufferSize: 1 << 30,
        maxStorageBufferBindingSize: 1 << 30
      },
      deviceMemoryGiB: 8,
      cores: 2,
      crossOriginIsolated: true,
      storage: { quota: 10e9, usage: 0, persisted: false },
      wasmMemory64: true,
      wasmSimd: true
    };
    const offered = mlc.filter((m) => !(m.needsShaderF16 && !probe.webgpu.shaderF16));
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.every((m) => /q4f32/.test(m.id))).toBe(true);
    for (const m of mlc.filter((x) => x.needsShaderF16)) {
      expect(fitVerdict(m, probe, 'webgpu').verdict).toBe('does-not-fit');
    }
  });

  it('parses quantization and parameter counts from model ids', () => {
    expect(mlcQuantization('SmolLM2-360M-Instruct-q4f16_1-MLC')).toBe('q4f16_1');
    expect(mlcQuantization('TinyLlama-1.1B-Chat-v1.0-q4f32_1-MLC-1k')).toBe('q4f32_1');
    expect(parameterCountFromName('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')).toBe(0.5e9);
    expect(parameterCountFromName('SmolLM2-360M-Instruct-q4f16_1-MLC')).toBe(360e6);
    expect(parameterCountFromName('stablelm-2-zephyr-1_6b-q4f16_1-MLC')).toBe(1.6e9);
    expect(parameterCountFromName('phi-2-q4f16_1-MLC')).toBeNull();
    // 1.1B weights at 4.5 bits ≈ 619 MB
    expect(estimateMlcDownloadBytes({ model_id: 'TinyLlama-1.1B-Chat-v1.0-q4f16_1-MLC' })).toBe(
      618_750_000
    );
  });
});

describe('GGUF built-ins and user entries', () => {
  it('built-ins point at Hugging Face resolve/main URLs of GGUF files', () => {
    const builtins = builtinGgufModels();
    expect(builtins.map((m) => m.id)).toEqual([
      'gguf:qwen2.5-0.5b-instruct-q4_k_m',
      'gguf:llama-3.2-1b-instruct-q4_k_m',
      'gguf:smollm2-360m-instruct-q8_0',
      'gguf:tinyllama-1.1b-chat-v1.0-q4_k_m'
    ]);
    for (const m of builtins) {
      expect(m.source.kind).toBe('url');
      if (m.source.kind === 'url')
        expect(m.source.url).toMatch(
          /^https:\/\/huggingface\.co\/[^/]+\/[^/]+-GGUF\/resolve\/main\/[^/]+\.gguf$/
        );
      expect(m.memoryBytes).toBeGreaterThan(m.sizeBytes);
    }
  });

  it('lists built-ins plus user entries, and finds them by id', async () => {
    const database = freshDatabase('catalog-test');
    const id = await freeGgufId('Qwen2.5 0.5B Instruct Q4_K_M', database);
    expect(id).toBe('gguf:qwen2.5-0.5b-instruct-q4_k_m-2'); // the built-in has the plain slug
    await saveUserModel(
      {
        id,
        name: 'Mine',
        format: 'gguf',
        quantization: 'Q4_K_M',
        sizeBytes: 1,
        memoryBytes: 1,
        source: { kind: 'file', fileName: 'mine.gguf' },
        builtin: true
      },
      database
    );
    const all = await listCatalog(database);
    expect(all.filter((m) => m.format === 'mlc').length).toBe(mlc.length);
    expect(all.find((m) => m.id === id)?.builtin).toBe(false);
    expect((await getCatalogModel('Llama-3.2-1B-Instruct-q4f32_1-MLC', database))?.format).toBe(
      'mlc'
    );
    expect((await getCatalogModel('gguf:smollm2-360m-instruct-q8_0', database))?.quantization).toBe(
      'Q8_0'
    );
    expect(slugify('My Model (v2).GGUF')).toBe('my-model-v2');
  });
});
