import { describe, expect, it } from 'vitest';
import {
  FIRST_DOWNLOAD_BUDGET,
  sourceHost,
  suggestFirstModel
} from '../../src/lib/library/first-model';
import type { LibraryEntry } from '../../src/lib/library/library.svelte';
import { fitVerdict } from '../../src/lib/models/fit';
import { builtinGgufModels } from '../../src/lib/models/gguf-builtins';
import { mlcCatalogFrom } from '../../src/lib/models/mlc-catalog';
import { MLC_PREBUILT_MODELS } from '../../src/lib/models/mlc-prebuilt';
import type { CatalogModel, ModelState } from '../../src/lib/models/types';
import { probe } from './helpers/probe';

/** The catalog a first visit sees: every built-in model, nothing stored. */
function catalog(states: Record<string, Partial<ModelState>> = {}): LibraryEntry[] {
  const models: CatalogModel[] = [...mlcCatalogFrom(MLC_PREBUILT_MODELS), ...builtinGgufModels()];
  return models.map((model) => ({
    model,
    state: states[model.id] && {
      id: model.id,
      status: 'partial',
      bytesStored: 0,
      totalBytes: model.sizeBytes,
      updatedAt: 0,
      ...states[model.id]
    }
  }));
}

const noGpu = probe({ gpu: { available: false, reason: 'no adapter' } });

describe('the first model offered to a newcomer', () => {
  it('is Qwen2.5 0.5B on the CPU engine: small, quick to answer, and it speaks Chinese', () => {
    const offer = suggestFirstModel(catalog(), noGpu);
    expect(offer?.model.id).toBe('gguf:qwen2.5-0.5b-instruct-q4_k_m');
    expect(offer?.model.sizeBytes).toBeLessThanOrEqual(FIRST_DOWNLOAD_BUDGET.wasm);
    expect(sourceHost(offer!.model)).toBe('huggingface.co');
  });

  it('is the largest Qwen chat model within the GPU budget on a real GPU, as f16 when it can', () => {
    const offer = suggestFirstModel(catalog(), probe());
    expect(offer?.model.format).toBe('mlc');
    expect(offer?.model.id).toMatch(/^Qwen.*-q4f16_1-MLC$/);
    expect(offer?.model.completionOnly).toBeFalsy();
    expect(offer?.model.sizeBytes).toBeLessThanOrEqual(FIRST_DOWNLOAD_BUDGET.webgpu);
    const bigger = catalog().filter(
      (e) =>
        e.model.format === 'mlc' &&
        /qwen/i.test(e.model.id) &&
        e.model.sizeBytes > offer!.model.sizeBytes &&
        e.model.sizeBytes <= FIRST_DOWNLOAD_BUDGET.webgpu
    );
    // A larger Qwen within budget is only the same model's f32 twin, or one that does not fit.
    for (const e of bigger)
      expect(
        e.model.id === offer!.model.id.replace('q4f16_1', 'q4f32_1') ||
          fitVerdict(e.model, probe(), 'webgpu').verdict !== 'fits'
      ).toBe(true);
  });

  it('stays on the CPU engine when WebGPU is only a software adapter', () => {
    const offer = suggestFirstModel(catalog(), probe({ gpu: { isFallbackAdapter: true } }));
    expect(offer?.model.format).toBe('gguf');
  });

  it('offers to finish a download the user already started, before anything else', () => {
    const offer = suggestFirstModel(
      catalog({ 'gguf:tinyllama-1.1b-chat-v1.0-q4_k_m': { bytesStored: 10_000_000 } }),
      noGpu
    );
    expect(offer?.model.id).toBe('gguf:tinyllama-1.1b-chat-v1.0-q4_k_m');
  });

  it('offers nothing that does not fit: no storage left, or no engine that can run it', () => {
    const full = probe({ storage: { quota: 100 * 1024 ** 2, usage: 0, persisted: false } });
    expect(suggestFirstModel(catalog(), full)).toBeNull();
    expect(
      suggestFirstModel(
        catalog(),
        probe({ gpu: { available: false }, wasmMemory64: false, wasmSimd: false })
      )
    ).toBeNull();
  });
});
