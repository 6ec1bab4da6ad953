/**
 * What the store needs from a GGUF header: proof the file is a model, the details
 * Ollama lists (family, parameter size, quantization), model_info for /api/show and
 * the embedding/completion capability. Blobs never change, so results are cached by path.
 */
import fs from 'node:fs/promises';
import { gguf, GGMLFileQuantizationType, GGMLQuantizationType } from '@huggingface/gguf';
import type { Capability } from '../../src/lib/ollama/types';
import { badRequest } from '../errors';

export interface GgufInfo {
  architecture: string;
  parameterCount: number;
  /** "F32", "Q8_0", "Q4_0"… */
  quantization: string;
  /** Every key except the header counters, bigint converted to number. */
  metadata: Record<string, unknown>;
  embedding: boolean;
  contextLength?: number;
}

const cache = new Map<string, Promise<GgufInfo>>();

/** Reads (once per path) and validates a GGUF header; a non-GGUF file is a 400. */
export function readGgufInfo(file: string): Promise<GgufInfo> {
  let pending = cache.get(file);
  if (!pending) {
    pending = parse(file);
    cache.set(file, pending);
    pending.catch(() => cache.delete(file));
  }
  return pending;
}

async function parse(file: string): Promise<GgufInfo> {
  const handle = await fs.open(file, 'r');
  let size: number;
  try {
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    size = (await handle.stat()).size;
    if (magic.toString('latin1') !== 'GGUF')
      throw badRequest('invalid model file: not a GGUF file (missing "GGUF" magic)');
  } finally {
    await handle.close();
  }
  let parsed;
  try {
    parsed = await gguf(file, { allowLocalFile: true, computeParametersCount: true });
  } catch (err) {
    throw badRequest(`invalid model file: unreadable GGUF header (${(err as Error).message})`);
  }
  if (Number(parsed.tensorDataOffset) > size || parsed.tensorInfos.length === 0) {
    throw badRequest('invalid model file: GGUF has no tensor data (truncated?)');
  }
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed.metadata)) {
    if (key === 'version' || key === 'tensor_count' || key === 'kv_count') continue;
    metadata[key] = toJson(value);
  }
  const architecture =
    typeof metadata['general.architecture'] === 'string' ? metadata['general.architecture'] : '';
  if (!architecture) throw badRequest('invalid model file: GGUF has no general.architecture');
  metadata['general.parameter_count'] = parsed.parameterCount;
  const contextLength = metadata[`${architecture}.context_length`];
  return {
    architecture,
    parameterCount: parsed.parameterCount,
    quantization: quantizationName(metadata['general.file_type'], parsed.tensorInfos),
    metadata,
    embedding: isEmbeddingModel(architecture, metadata),
    contextLength: typeof contextLength === 'number' ? contextLength : undefined
  };
}

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJson);
  return value;
}

/** An embedding model pools its outputs and/or attends non-causally. */
function isEmbeddingModel(arch: string, metadata: Record<string, unknown>): boolean {
  return (
    metadata[`${arch}.pooling_type`] !== undefined || metadata[`${arch}.attention.causal`] === false
  );
}

function quantizationName(
  fileType: unknown,
  tensors: { name: string; dtype: GGMLQuantizationType }[]
): string {
  if (typeof fileType === 'number' && GGMLFileQuantizationType[fileType])
    return GGMLFileQuantizationType[fileType];
  // No file_type: report the most common type among the weight matrices.
  const counts = new Map<number, number>();
  for (const t of tensors)
    if (t.name.endsWith('.weight')) counts.set(t.dtype, (counts.get(t.dtype) ?? 0) + 1);
  const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return top ? (GGMLQuantizationType[top[0]] ?? 'unknown') : 'unknown';
}

/** Ollama's human form of a parameter count: "293K", "24.4M", "7B". */
export function humanParameterCount(n: number): string {
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K']
  ];
  for (const [size, suffix] of units) {
    if (n >= size) {
      const value = n / size;
      if (suffix === 'K') return `${Math.round(value)}K`;
      return Number.isInteger(value) ? `${value}${suffix}` : `${value.toFixed(1)}${suffix}`;
    }
  }
  return String(n);
}

/** model_info without huge arrays (tokenizer vocabularies) unless asked for. */
export function modelInfo(info: GgufInfo, verbose: boolean): Record<string, unknown> {
  if (verbose) return info.metadata;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info.metadata)) {
    out[key] = Array.isArray(value) && value.length > 5 ? null : value;
  }
  return out;
}

export function capabilities(
  info: GgufInfo | undefined,
  template: string | undefined,
  hasProjector: boolean
): Capability[] {
  const caps: Capability[] = [];
  if (info?.embedding) caps.push('embedding');
  else caps.push('completion');
  if (template?.includes('.Tools')) caps.push('tools');
  if (template?.includes('.Suffix')) caps.push('insert');
  if (template?.includes('.Thinking')) caps.push('thinking');
  if (hasProjector) caps.push('vision');
  return caps;
}
