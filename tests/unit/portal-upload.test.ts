/** The admin upload's browser-side hashing, checked against a real model's known digest. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256OfFile, suggestModelName } from '../../src/lib/components/admin/gguf-upload';
import { STORIES, STORIES_DIGEST } from './helpers/models';

describe('sha256OfFile', () => {
  it('hashes a real GGUF in slices to its known digest, reporting progress', async () => {
    const blob = new Blob([fs.readFileSync(STORIES)]);
    const seen: number[] = [];
    expect(await sha256OfFile(blob, (f) => seen.push(f))).toBe(STORIES_DIGEST);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1])).toBe(true);
  });

  it('hashes an empty file and stops when aborted', async () => {
    expect(await sha256OfFile(new Blob([]), () => {})).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    );
    const aborter = new AbortController();
    aborter.abort();
    await expect(sha256OfFile(new Blob(['x']), () => {}, aborter.signal)).rejects.toThrow();
  });
});

describe('suggestModelName', () => {
  it('turns a file name into a model name', () => {
    expect(suggestModelName('Qwen2.5-7B-Instruct-Q4_K_M.gguf')).toBe('qwen2.5-7b-instruct-q4_k_m');
    expect(suggestModelName('医学 模型 v2.GGUF')).toBe('v2');
  });
});
