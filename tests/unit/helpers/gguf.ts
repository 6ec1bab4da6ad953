/**
 * A real GGUF with metadata set: the shared stories260K model rewritten by
 * @huggingface/gguf's own header builder, tensors untouched. For testing what a reader
 * makes of keys the small shared models lack (an embedding model's pooling type), or a
 * whole file llama.cpp cannot load (an architecture it does not know).
 */
import fs from 'node:fs';
import { buildGgufHeader, gguf, GGUFValueType } from '@huggingface/gguf';

function blobFetch(blob: Blob) {
  return async (_url: string | URL | Request, init?: RequestInit) => {
    const range = /bytes=(\d+)-(\d*)/.exec(new Headers(init?.headers).get('range') ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) + 1 : blob.size;
    return new Response(blob.slice(start, Math.min(end, blob.size)), { status: 206 });
  };
}

/** `file` with metadata keys set: numbers as unsigned integers, text as strings. */
export async function ggufWithKeys(
  file: string,
  keys: Record<string, number | string>
): Promise<Blob> {
  const blob = new Blob([fs.readFileSync(file)]);
  const parsed = await gguf('https://hearth.invalid/model.gguf', {
    fetch: blobFetch(blob) as typeof fetch,
    typedMetadata: true
  });
  const metadata = { ...parsed.typedMetadata } as Record<string, { value: unknown; type: unknown }>;
  const added = Object.keys(keys).filter((key) => !(key in metadata)).length;
  for (const [key, value] of Object.entries(keys))
    metadata[key] = {
      value,
      type: typeof value === 'string' ? GGUFValueType.STRING : GGUFValueType.UINT32
    };
  const kvCount = parsed.typedMetadata.kv_count;
  metadata.kv_count = { value: BigInt(Number(kvCount.value) + added), type: kvCount.type };
  const header = await buildGgufHeader(blob, metadata as typeof parsed.typedMetadata, {
    littleEndian: parsed.littleEndian,
    tensorInfoByteRange: parsed.tensorInfoByteRange
  });
  return new Blob([header, blob.slice(Number(parsed.tensorDataOffset))]);
}
