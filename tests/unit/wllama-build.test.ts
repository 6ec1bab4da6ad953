import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportsWasmSimd } from '../../src/lib/device/probe';
import { chooseWllamaBuild } from '../../src/lib/engines/wllama-build';
import { WASM32_MAX_MODEL_BYTES } from '../../src/lib/models/fit';

const VENDOR = path.resolve(import.meta.dirname, '../../vendor/wllama-simd');

describe('chooseWllamaBuild', () => {
  const small = 100 * 1024 ** 2;

  it('runs SIMD builds, threaded when the engine has more than one thread', () => {
    expect(chooseWllamaBuild({ modelBytes: small, threads: 1, simd: true })).toBe('simd');
    expect(chooseWllamaBuild({ modelBytes: small, threads: 2, simd: true })).toBe('simd-mt');
  });

  it("falls back to the package's memory64 build for weights beyond wasm32 or no SIMD", () => {
    const big = WASM32_MAX_MODEL_BYTES + 1;
    expect(chooseWllamaBuild({ modelBytes: big, threads: 2, simd: true })).toBe('stock');
    expect(chooseWllamaBuild({ modelBytes: WASM32_MAX_MODEL_BYTES, threads: 1, simd: true })).toBe(
      'simd'
    );
    expect(chooseWllamaBuild({ modelBytes: small, threads: 1, simd: false })).toBe('stock');
  });

  it('detects wasm SIMD with a module this runtime validates', () => {
    // Node's V8 has had wasm SIMD since 16.4; a false here means the probe bytes are wrong.
    expect(supportsWasmSimd()).toBe(true);
  });
});

describe('the shipped SIMD engine files', () => {
  const sums = fs
    .readFileSync(path.join(VENDOR, 'SHA256SUMS'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+\*?/));

  it('match their recorded checksums (a rebuild updates SHA256SUMS)', () => {
    expect(sums.map(([, name]) => name).sort()).toEqual([
      'wllama-mt.glue.js',
      'wllama-mt.wasm',
      'wllama-mt.worker.js',
      'wllama.glue.js',
      'wllama.wasm'
    ]);
    for (const [digest, name] of sums) {
      const actual = createHash('sha256')
        .update(fs.readFileSync(path.join(VENDOR, name)))
        .digest('hex');
      expect(actual, name).toBe(digest);
    }
  });

  it('contain the wasm SIMD dot product ggml uses for quantized weights', () => {
    // i32x4.dot_i16x8_s is encoded FD BA 01; the package's generic-kernel build has none.
    const count = (file: string) => {
      const bytes = fs.readFileSync(file);
      let n = 0;
      for (let i = bytes.indexOf(0xfd); i >= 0; i = bytes.indexOf(0xfd, i + 1))
        if (bytes[i + 1] === 0xba && bytes[i + 2] === 0x01) n++;
      return n;
    };
    expect(count(path.join(VENDOR, 'wllama.wasm'))).toBeGreaterThan(10);
    expect(count(path.join(VENDOR, 'wllama-mt.wasm'))).toBeGreaterThan(10);
  });

  it('were built against the wllama version the app imports', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(VENDOR, '../../package.json'), 'utf8'));
    const built = fs.readFileSync(path.join(VENDOR, 'WLLAMA_VERSION'), 'utf8').trim();
    expect(pkg.dependencies['@wllama/wllama']).toBe(built);
  });
});
