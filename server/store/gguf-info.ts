/**
 * What the store needs from a GGUF (read by the shared reader, src/lib/gguf): proof the
 * file is a whole model, the details Ollama lists (family, parameter size, quantization),
 * model_info for /api/show and the embedding/completion capability. Blobs never change,
 * so results are cached by path.
 */
import { openAsBlob } from 'node:fs';
import { checkGgufBlob, GgufError } from '../../src/lib/gguf/read';
import type { Capability } from '#protocol/ollama/types';
import { InvalidInputError } from '../domain-errors';

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
  let summary;
  try {
    summary = await checkGgufBlob(await openAsBlob(file), { parameterCount: true });
  } catch (err) {
    if (err instanceof GgufError) throw new InvalidInputError(`invalid model file: ${err.message}`);
    throw err;
  }
  const { architecture, metadata } = summary;
  if (!architecture)
    throw new InvalidInputError('invalid model file: GGUF has no general.architecture');
  const parameterCount = summary.parameterCount ?? 0;
  return {
    architecture,
    parameterCount,
    quantization: summary.quantization ?? 'unknown',
    metadata: { ...metadata, 'general.parameter_count': parameterCount },
    embedding: summary.embedding,
    contextLength: summary.contextLength ?? undefined
  };
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
