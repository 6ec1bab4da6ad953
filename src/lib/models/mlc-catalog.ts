/**
 * Turns web-llm's prebuilt model list into catalog rows: small, chat-capable, 4-bit
 * quantized LLMs only (a browser tab cannot hold 7B+ models on most devices).
 */
import type { CatalogModel } from './types';

/** The fields of web-llm's ModelRecord we read (its own type drags the whole library in). */
export interface MlcModelRecord {
  model_id: string;
  vram_required_MB?: number;
  required_features?: string[];
  buffer_size_required_bytes?: number;
  /** web-llm's ModelType enum: 0 LLM (default), 1 embedding, 2 VLM. */
  model_type?: number;
  overrides?: { context_window_size?: number };
}

export const MLC_MAX_VRAM_MB = 4500;
const MIB = 1024 * 1024;

/** "q4f16_1" from "Llama-3.2-1B-Instruct-q4f16_1-MLC"; null when the id has none. */
export function mlcQuantization(modelId: string): string | null {
  return /-(q\d+f\d+(?:_\d+)?)-MLC/i.exec(modelId)?.[1] ?? null;
}

/** f16 variants compute in half precision, so their shaders need the shader-f16 feature. */
export function mlcNeedsShaderF16(record: MlcModelRecord): boolean {
  const quant = mlcQuantization(record.model_id) ?? '';
  return /f16/i.test(quant) || (record.required_features ?? []).includes('shader-f16');
}

/** Parameter count from names like "Qwen2.5-0.5B", "SmolLM2-360M", "stablelm-2-zephyr-1_6b". */
export function parameterCountFromName(modelId: string): number | null {
  const m = /(?:^|[-_])(\d+(?:[._]\d+)?)([BM])(?=[-_]|$)/i.exec(modelId);
  if (!m) return null;
  const value = Number(m[1].replace('_', '.'));
  return value * (m[2].toUpperCase() === 'B' ? 1e9 : 1e6);
}

/**
 * web-llm lists VRAM, not download size. Estimate it from the parameter count: 4-bit weights
 * plus one scale per 32-weight group (f16 scale → 4.5 bits/weight, f32 → 5); without a
 * parameter count, weights are roughly 60% of the VRAM figure (the rest is KV cache).
 */
export function estimateMlcDownloadBytes(record: MlcModelRecord): number {
  const quant = mlcQuantization(record.model_id) ?? '';
  const bits = Number(/^q(\d+)/i.exec(quant)?.[1] ?? 4);
  const params = parameterCountFromName(record.model_id);
  if (params) {
    const bitsPerWeight = bits + (/f32/i.test(quant) ? 1 : 0.5);
    return Math.round((params * bitsPerWeight) / 8);
  }
  return Math.round((record.vram_required_MB ?? 0) * MIB * 0.6);
}

function isChatLlm(record: MlcModelRecord): boolean {
  if ((record.model_type ?? 0) !== 0) return false; // embedding and vision models
  return !/-Base-/i.test(record.model_id); // base models have no chat tuning
}

export function mlcCatalogFrom(records: readonly MlcModelRecord[]): CatalogModel[] {
  return records
    .filter((r) => isChatLlm(r))
    .filter((r) => /^q4f(16|32)/i.test(mlcQuantization(r.model_id) ?? ''))
    .filter((r) => (r.vram_required_MB ?? Infinity) <= MLC_MAX_VRAM_MB)
    .map((r) => ({
      id: r.model_id,
      name: r.model_id.replace(/-MLC(-.*)?$/, (_, tail: string | undefined) => tail ?? ''),
      format: 'mlc' as const,
      quantization: mlcQuantization(r.model_id) ?? 'unknown',
      sizeBytes: estimateMlcDownloadBytes(r),
      sizeEstimated: true,
      memoryBytes: Math.round((r.vram_required_MB ?? 0) * MIB),
      contextLength: r.overrides?.context_window_size,
      needsShaderF16: mlcNeedsShaderF16(r),
      largestBufferBytes: r.buffer_size_required_bytes,
      source: { kind: 'mlc-prebuilt' as const },
      builtin: true
    }))
    .sort((a, b) => a.memoryBytes - b.memoryBytes);
}
