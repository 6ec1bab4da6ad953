/**
 * A real GGUF with metadata added: the shared stories260K model rewritten by
 * @huggingface/gguf's own header builder, tensors untouched. For testing what a reader
 * makes of keys the small shared models lack (an embedding model's pooling type).
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

/** `file` with extra unsigned-integer metadata keys. */
export async function ggufWithKeys(file: string, keys: Record<string, number>): Promise<Blob> {
  const blob = new Blob([fs.readFileSync(file)]);
  const parsed = await gguf('https://hearth.invalid/model.gguf', {
    fetch: blobFetch(blob) as typeof fetch,
    typedMetadata: true
  });
  const metadata = { ...parsed.typedMetadata } as Record<string, { value: unknown; type: unknown }>;
  for (const [key, value] of Object.entries(keys))
    metadata[key] = { value, type: GGUFValueType.UINT32 };
  const kvCount = parsed.typedMetadata.kv_count;
  metadata.kv_count = {
    value: BigInt(Number(kvCount.value) + Object.keys(keys).length),
    type: kvCount.type
  };
  const header = await buildGgufHeader(blob, metadata as typeof parsed.typedMetadata, {
    littleEndian: parsed.littleEndian,
    tensorInfoByteRange: parsed.tensorInfoByteRange
  });
  return new Blob([header, blob.slice(Number(parsed.tensorDataOffset))]);
}
