/**
 * The one GGUF reader, for the browser (a stored model's Blob) and the server (a blob
 * file, opened as a Blob). Is this really a whole GGUF? The header check catches HTML
 * error pages and other files saved under a .gguf name; the metadata parse (via
 * @huggingface/gguf) gives architecture, context, quantization, chat template and whether
 * it embeds; the tensor table tells how long the file must be, which catches truncation
 * even when a server's length was wrong.
 */

/** Shape of the attention stack, enough to size the KV cache. */
export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  trainedContext: number;
}

export class GgufError extends Error {
  constructor(
    readonly key: 'notGguf' | 'ggufVersion' | 'ggufCounts' | 'ggufTruncated' | 'ggufMetadata',
    message: string,
    readonly params: Record<string, string | number> = {}
  ) {
    super(message);
    this.name = 'GgufError';
  }
}

export interface GgufHeader {
  version: number;
  tensorCount: number;
  kvCount: number;
}

/** Bytes needed for checkGgufHeader: magic, version, tensor count, kv count. */
export const GGUF_HEADER_BYTES = 24;
const MAX_SANE_COUNT = 1_000_000;

/** What a file starts with, printable, for error messages ("<!doctype html>…"). */
export function describeStart(bytes: Uint8Array): string {
  const text = Array.from(bytes.subarray(0, 24), (b) =>
    b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'
  ).join('');
  return text + (bytes.length > 24 ? '…' : '');
}

export function isGgufMagic(bytes: Uint8Array): boolean {
  return String.fromCharCode(...bytes.subarray(0, 4)) === 'GGUF';
}

/** Throws unless the bytes start with "GGUF" (an HTML error page is the usual culprit). */
export function checkGgufMagic(bytes: Uint8Array): void {
  if (isGgufMagic(bytes)) return;
  const start = describeStart(bytes);
  const html = /^\s*</.test(start) ? ' (a web page, not model weights — check the URL)' : '';
  throw new GgufError('notGguf', `not a GGUF file: it starts with '${start}'${html}`, { start });
}

export function checkGgufHeader(bytes: Uint8Array): GgufHeader {
  checkGgufMagic(bytes);
  if (bytes.length < GGUF_HEADER_BYTES) {
    throw new GgufError('ggufTruncated', 'file truncated: the GGUF header is incomplete', {
      expected: GGUF_HEADER_BYTES,
      actual: bytes.length
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== 2 && version !== 3) {
    throw new GgufError('ggufVersion', `unsupported GGUF version ${version} (need 2 or 3)`, {
      version
    });
  }
  const tensorCount = Number(view.getBigUint64(8, true));
  const kvCount = Number(view.getBigUint64(16, true));
  if (tensorCount < 1 || tensorCount > MAX_SANE_COUNT || kvCount > MAX_SANE_COUNT) {
    throw new GgufError(
      'ggufCounts',
      `corrupt GGUF header: ${tensorCount} tensors, ${kvCount} metadata keys`,
      { tensors: tensorCount, keys: kvCount }
    );
  }
  return { version, tensorCount, kvCount };
}

/** ggml type id → [elements per block, bytes per block] (ggml.c's type traits). */
const GGML_TYPE_SIZES: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17] // MXFP4
};

interface TensorInfo {
  shape: bigint[];
  dtype: number;
  offset: bigint;
}

/** Where the last tensor's data ends; null when a tensor type is unknown to this table. */
export function tensorDataEnd(dataOffset: bigint, tensors: TensorInfo[]): number | null {
  let end = 0n;
  for (const t of tensors) {
    const size = GGML_TYPE_SIZES[t.dtype];
    if (!size) return null;
    const elements = t.shape.reduce((a, b) => a * b, 1n);
    const bytes = (elements / BigInt(size[0])) * BigInt(size[1]);
    if (t.offset + bytes > end) end = t.offset + bytes;
  }
  return Number(dataOffset + end);
}

export interface GgufSummary {
  architecture: string | null;
  name: string | null;
  contextLength: number | null;
  /**
   * "Q4_K_M", "F32"… from general.file_type, else the most common type among the weight
   * matrices; null when neither says.
   */
  quantization: string | null;
  hasChatTemplate: boolean;
  /** An embedding model: it pools its outputs and/or attends non-causally. */
  embedding: boolean;
  shape: KvShape | null;
  /** Minimum file size the tensor table implies; null when not computable. */
  expectedBytes: number | null;
  /** Only when asked for (it walks every tensor). */
  parameterCount: number | null;
  /** Every key but the header counters, JSON-safe (bigints as numbers). */
  metadata: Record<string, unknown>;
}

export interface ReadOptions {
  parameterCount?: boolean;
}

type Metadata = Record<string, unknown>;

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJson);
  return value;
}

function jsonMetadata(raw: Record<string, unknown>): Metadata {
  const out: Metadata = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'version' || key === 'tensor_count' || key === 'kv_count') continue;
    out[key] = toJson(value);
  }
  return out;
}

function num(md: Metadata, key: string): number | null {
  const v = md[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v) && v.length) return Math.max(...v.map(Number)); // per-layer values
  return null;
}

function kvShape(md: Metadata, arch: string, context: number | null): KvShape | null {
  const layers = num(md, `${arch}.block_count`);
  const heads = num(md, `${arch}.attention.head_count`);
  const embedding = num(md, `${arch}.embedding_length`);
  if (!layers || !heads || !embedding) return null;
  const kvHeads = num(md, `${arch}.attention.head_count_kv`) ?? heads;
  const headDim = num(md, `${arch}.attention.key_length`) ?? embedding / heads;
  return { layers, kvHeads, headDim, trainedContext: context ?? 2048 };
}

/** Parses a GGUF's metadata, reading only the ranges it needs from the Blob. */
export async function readGgufSummary(blob: Blob, options: ReadOptions = {}): Promise<GgufSummary> {
  const { gguf, GGMLFileQuantizationType, GGMLQuantizationType } =
    await import('@huggingface/gguf');
  const blobFetch = async (_url: string | URL | Request, init?: RequestInit) => {
    const range = /bytes=(\d+)-(\d*)/.exec(new Headers(init?.headers).get('range') ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) + 1 : blob.size;
    return new Response(blob.slice(start, Math.min(end, blob.size)), { status: 206 });
  };
  // The URL is never fetched: every read goes to blobFetch.
  const source = 'https://hearth.invalid/model.gguf';
  const read = { fetch: blobFetch as typeof fetch };
  let parsed: Awaited<ReturnType<typeof gguf>> & { parameterCount?: number };
  try {
    parsed = options.parameterCount
      ? await gguf(source, { ...read, computeParametersCount: true })
      : await gguf(source, read);
  } catch (e) {
    throw new GgufError('ggufMetadata', `corrupt GGUF metadata: ${(e as Error).message}`, {
      detail: (e as Error).message
    });
  }
  const md = jsonMetadata(parsed.metadata as unknown as Metadata);
  const arch = typeof md['general.architecture'] === 'string' ? md['general.architecture'] : null;
  const contextLength = arch ? num(md, `${arch}.context_length`) : null;
  const fileType = num(md, 'general.file_type');
  const dominant = dominantType(parsed.tensorInfos);
  const count = parsed.parameterCount;
  return {
    architecture: arch,
    name: typeof md['general.name'] === 'string' ? md['general.name'] : null,
    contextLength,
    quantization:
      (fileType === null ? null : GGMLFileQuantizationType[fileType]) ??
      (dominant === null ? null : (GGMLQuantizationType[dominant] ?? null)),
    hasChatTemplate: typeof md['tokenizer.chat_template'] === 'string',
    embedding:
      arch !== null &&
      (md[`${arch}.pooling_type`] !== undefined || md[`${arch}.attention.causal`] === false),
    shape: arch ? kvShape(md, arch, contextLength) : null,
    expectedBytes: tensorDataEnd(parsed.tensorDataOffset, parsed.tensorInfos),
    parameterCount: typeof count === 'number' ? count : null,
    metadata: md
  };
}

/** The most common type among the weight matrices (for files without general.file_type). */
function dominantType(tensors: { name: string; dtype: number }[]): number | null {
  const counts = new Map<number, number>();
  for (const t of tensors)
    if (t.name.endsWith('.weight')) counts.set(t.dtype, (counts.get(t.dtype) ?? 0) + 1);
  const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return top ? top[0] : null;
}

/** Throws GgufError unless `blob` is a complete GGUF; returns its summary. */
export async function checkGgufBlob(blob: Blob, options: ReadOptions = {}): Promise<GgufSummary> {
  checkGgufHeader(new Uint8Array(await blob.slice(0, 64).arrayBuffer()));
  const summary = await readGgufSummary(blob, options);
  if (summary.expectedBytes !== null && blob.size < summary.expectedBytes) {
    throw new GgufError(
      'ggufTruncated',
      `file truncated: expected ${summary.expectedBytes} bytes, got ${blob.size}`,
      { expected: summary.expectedBytes, actual: blob.size }
    );
  }
  return summary;
}
