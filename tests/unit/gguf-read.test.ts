import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkGgufBlob,
  checkGgufHeader,
  GgufError,
  readGgufSummary
} from '../../src/lib/gguf/read';
import { ggufWithKeys } from './helpers/gguf';
import { SHARED_MODELS, STORIES } from './helpers/models';

const stories = fs.readFileSync(STORIES);

function header(magic: string, version: number, tensors: bigint, kvs: bigint): Uint8Array {
  const b = new Uint8Array(24);
  b.set(Buffer.from(magic), 0);
  const v = new DataView(b.buffer);
  v.setUint32(4, version, true);
  v.setBigUint64(8, tensors, true);
  v.setBigUint64(16, kvs, true);
  return b;
}

describe('GGUF header', () => {
  it('accepts the real model header', () => {
    expect(checkGgufHeader(stories.subarray(0, 64))).toEqual({
      version: 3,
      tensorCount: 48,
      kvCount: 22
    });
  });

  it('names what a non-GGUF file starts with', () => {
    expect(() => checkGgufHeader(Buffer.from('<!DOCTYPE html><html lang="en"><head>'))).toThrow(
      /^not a GGUF file: it starts with '<!DOCTYPE html><html lan…' \(a web page/
    );
    expect(() => checkGgufHeader(Buffer.from([0x50, 0x4b, 3, 4, 0, 0]))).toThrow(
      /it starts with 'PK\.\.\.\.'$/
    );
  });

  it('rejects unsupported versions and absurd counts', () => {
    expect(() => checkGgufHeader(header('GGUF', 1, 1n, 1n))).toThrow(/unsupported GGUF version 1/);
    expect(() => checkGgufHeader(header('GGUF', 3, 0n, 1n))).toThrow(
      /corrupt GGUF header: 0 tensors/
    );
    expect(() => checkGgufHeader(header('GGUF', 3, 5n, 1n << 40n))).toThrow(GgufError);
    expect(() => checkGgufHeader(header('GGUF', 3, 5n, 1n).subarray(0, 10))).toThrow(
      /header is incomplete/
    );
  });
});

describe('GGUF metadata', () => {
  it('reads architecture, context, quantization and chat template from a Blob', async () => {
    const s = await readGgufSummary(new Blob([stories]));
    expect(s).toMatchObject({
      architecture: 'llama',
      name: 'stories260K',
      contextLength: 512,
      quantization: 'F32',
      hasChatTemplate: false,
      embedding: false,
      expectedBytes: stories.length,
      parameterCount: null,
      shape: { layers: 5, kvHeads: 4, headDim: 8, trainedContext: 512 }
    });
    expect(s.metadata['general.architecture']).toBe('llama');
  });

  it('counts parameters when asked, and tells an embedding model by its pooling', async () => {
    const counted = await readGgufSummary(new Blob([stories]), { parameterCount: true });
    expect(counted.parameterCount).toBe(292_800);
    const embedding = await ggufWithKeys(STORIES, { 'llama.pooling_type': 1 });
    expect((await checkGgufBlob(embedding)).embedding).toBe(true);
  });

  it('computes quantized tensor sizes (Q8_0, Q4_0) exactly', async () => {
    for (const [file, quant] of [
      ['synth15M-q8_0.gguf', 'Q8_0'],
      ['synth110M-q4_0.gguf', 'Q4_0']
    ]) {
      const bytes = fs.readFileSync(path.join(SHARED_MODELS, file));
      const s = await checkGgufBlob(new Blob([bytes]));
      expect(s.quantization).toBe(quant);
      expect(s.expectedBytes).toBeLessThanOrEqual(bytes.length);
      expect(bytes.length - s.expectedBytes!).toBeLessThan(64); // at most alignment padding
    }
  });

  it('catches truncation from the tensor table', async () => {
    await expect(checkGgufBlob(new Blob([stories.subarray(0, 700_000)]))).rejects.toThrow(
      `file truncated: expected ${stories.length} bytes, got 700000`
    );
  });
});
