import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ChunkWriter } from '../../src/lib/downloads/chunk-writer';
import { isQuotaError } from '../../src/lib/downloads/errors';
import { ProgressTracker } from '../../src/lib/downloads/progress';
import { addModelFromUrl, quantizationFromFileName } from '../../src/lib/downloads/add-model';
import { freshDatabase } from './helpers/db';
import { readStoredBlob } from '../../src/lib/store/model-files';

describe('progress', () => {
  it('reports speed over the recent window and the time left', () => {
    let now = 0;
    const tracker = new ProgressTracker(10_000, () => now);
    tracker.update(0);
    now = 1000;
    const p = tracker.update(2000);
    expect(p).toEqual({ bytes: 2000, total: 10_000, speed: 2000, eta: 4 });
    now = 20_000; // a long stall pushes old samples out of the window
    tracker.update(2000);
    now = 21_000;
    expect(tracker.update(3000).speed).toBeLessThan(2000);
  });

  it('has no ETA without a total', () => {
    let now = 0;
    const tracker = new ProgressTracker(0, () => now);
    tracker.update(0);
    now = 1000;
    expect(tracker.update(500).eta).toBeNull();
  });
});

describe('chunk writer', () => {
  it('cuts a stream into fixed-size chunks and keeps the tail on flush', async () => {
    const database = freshDatabase('downloads-test');
    const state = {
      id: 'm',
      status: 'partial' as const,
      bytesStored: 0,
      totalBytes: 25,
      updatedAt: 0
    };
    const writer = new ChunkWriter(database, state, 0, 10);
    const bytes = Uint8Array.from({ length: 25 }, (_, i) => i);
    await writer.push(bytes.subarray(0, 7));
    await writer.push(bytes.subarray(7, 23));
    expect(writer.current.bytesStored).toBe(20);
    expect(writer.bytesReceived).toBe(23);
    await writer.push(bytes.subarray(23));
    await writer.flush();
    const chunks = await database.modelChunks.where('modelId').equals('m').toArray();
    expect(chunks.map((c) => c.data.size)).toEqual([10, 10, 5]);
    expect((await database.modelStates.get('m'))?.bytesStored).toBe(25);
    expect(new Uint8Array(await (await readStoredBlob('m', database)).arrayBuffer())).toEqual(
      bytes
    );
  });
});

describe('errors and names', () => {
  it('recognises QuotaExceededError raw and wrapped', () => {
    const raw = new DOMException('full', 'QuotaExceededError');
    expect(isQuotaError(raw)).toBe(true);
    expect(isQuotaError({ name: 'AbortError', inner: raw })).toBe(true);
    expect(isQuotaError(new Error('x', { cause: raw }))).toBe(true);
    expect(isQuotaError(new TypeError('network'))).toBe(false);
  });

  it('reads quantization from GGUF file names', async () => {
    expect(await quantizationFromFileName('qwen2.5-0.5b-instruct-q4_k_m.gguf')).toBe('Q4_K_M');
    expect(await quantizationFromFileName('tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf')).toBe('Q4_K_M');
    expect(await quantizationFromFileName('smollm2-360m-instruct-q8_0.gguf')).toBe('Q8_0');
    expect(await quantizationFromFileName('Model-IQ3_XS.gguf')).toBe('IQ3_XS');
    expect(await quantizationFromFileName('stories260K.gguf')).toBeNull();
  });

  it('adds a URL entry named after the file, and rejects non-http URLs clearly', async () => {
    const database = freshDatabase('downloads-url');
    const m = await addModelFromUrl(
      'http://lan.example/models/Phi-3-mini-Q4_K_M.gguf?download=1',
      undefined,
      database
    );
    expect(m).toMatchObject({
      id: 'gguf:phi-3-mini-q4_k_m',
      name: 'Phi-3-mini-Q4_K_M',
      quantization: 'Q4_K_M',
      builtin: false
    });
    expect(
      (
        await addModelFromUrl(
          'http://lan.example/models/Phi-3-mini-Q4_K_M.gguf?download=1',
          undefined,
          database
        )
      ).id
    ).toBe(m.id);
    await expect(addModelFromUrl('file:///etc/passwd', undefined, database)).rejects.toThrow(
      /only http and https/
    );
    await expect(addModelFromUrl('not a url', undefined, database)).rejects.toThrow(
      /not a valid URL/
    );
  });
});
