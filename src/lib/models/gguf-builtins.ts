/**
 * Well-known small instruct GGUF models, fetched from Hugging Face `resolve/main` URLs
 * (or a LAN mirror with the same layout). Sizes are the hub's listed file sizes, rounded:
 * they drive the fit check before download; the real size comes from the server.
 */
import type { KvShape } from '../gguf/read';
import type { CatalogModel } from './types';

/** Context the WASM engine is started with unless the model's own is smaller. */
export const DEFAULT_CONTEXT = 4096;
const MIB = 1024 * 1024;

/** f16 K and V for every layer, for `context` tokens. */
export function kvCacheBytes(shape: KvShape, context = DEFAULT_CONTEXT): number {
  const ctx = Math.min(context, shape.trainedContext);
  return 2 * shape.layers * ctx * shape.kvHeads * shape.headDim * 2;
}

/**
 * wasm heap a GGUF needs under llama.cpp: the weights (read fully into the heap), the KV
 * cache, and compute buffers (scale with the model; 64 MiB floor for tiny ones).
 * Without the shape (before a user-added file is parsed), assume a 4096-token cache costs
 * about 15% of the weights — typical for 0.5–3B models.
 */
export function ggufMemoryBytes(fileBytes: number, shape?: KvShape): number {
  const kv = shape ? kvCacheBytes(shape) : fileBytes * 0.15;
  const compute = Math.max(64 * MIB, fileBytes * 0.1);
  return Math.round(fileBytes + kv + compute);
}

interface BuiltinGguf {
  slug: string;
  name: string;
  url: string;
  quantization: string;
  sizeBytes: number;
  shape: KvShape;
}

const HF = 'https://huggingface.co';

const BUILTINS: BuiltinGguf[] = [
  {
    slug: 'qwen2.5-0.5b-instruct-q4_k_m',
    name: 'Qwen2.5 0.5B Instruct',
    url: `${HF}/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf`,
    quantization: 'Q4_K_M',
    sizeBytes: 491 * 1000 * 1000,
    shape: { layers: 24, kvHeads: 2, headDim: 64, trainedContext: 32768 }
  },
  {
    slug: 'llama-3.2-1b-instruct-q4_k_m',
    name: 'Llama 3.2 1B Instruct',
    url: `${HF}/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf`,
    quantization: 'Q4_K_M',
    sizeBytes: 808 * 1000 * 1000,
    shape: { layers: 16, kvHeads: 8, headDim: 64, trainedContext: 131072 }
  },
  {
    slug: 'smollm2-360m-instruct-q8_0',
    name: 'SmolLM2 360M Instruct',
    url: `${HF}/HuggingFaceTB/SmolLM2-360M-Instruct-GGUF/resolve/main/smollm2-360m-instruct-q8_0.gguf`,
    quantization: 'Q8_0',
    sizeBytes: 386 * 1000 * 1000,
    shape: { layers: 32, kvHeads: 5, headDim: 64, trainedContext: 8192 }
  },
  {
    slug: 'tinyllama-1.1b-chat-v1.0-q4_k_m',
    name: 'TinyLlama 1.1B Chat v1.0',
    url: `${HF}/TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF/resolve/main/tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf`,
    quantization: 'Q4_K_M',
    sizeBytes: 669 * 1000 * 1000,
    shape: { layers: 22, kvHeads: 4, headDim: 64, trainedContext: 2048 }
  }
];

export function builtinGgufModels(): CatalogModel[] {
  return BUILTINS.map((b) => ({
    id: `gguf:${b.slug}`,
    name: b.name,
    format: 'gguf',
    quantization: b.quantization,
    sizeBytes: b.sizeBytes,
    sizeEstimated: true,
    memoryBytes: ggufMemoryBytes(b.sizeBytes, b.shape),
    contextLength: Math.min(DEFAULT_CONTEXT, b.shape.trainedContext),
    source: { kind: 'url', url: b.url },
    builtin: true
  }));
}
