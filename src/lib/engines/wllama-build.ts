/**
 * Which llama.cpp WebAssembly build the WASM engine runs. Hearth ships its own builds of
 * wllama's engine (vendor/wllama-simd, rebuilt by its build.sh): wasm32 with ggml's wasm
 * SIMD kernels, a single-thread one and a pthreads one. The npm package's build compiles
 * ggml's generic scalar kernels (and pays memory64 bounds checks): 2.5–5× slower; it stays as
 * the fallback for weights too big for wasm32's 4 GiB and for browsers without wasm SIMD.
 * Pure decisions only, so they are unit-tested in Node.
 */

import { WASM32_MAX_MODEL_BYTES } from '../models/fit';

export type WllamaBuildKind = 'simd' | 'simd-mt' | 'stock';

export interface BuildEnvironment {
  /** GGUF size in bytes. */
  modelBytes: number;
  /** Threads the engine will run (already 1 without cross-origin isolation). */
  threads: number;
  /** Does this browser validate wasm SIMD (v128) code? (device/probe.ts) */
  simd: boolean;
}

export function chooseWllamaBuild(env: BuildEnvironment): WllamaBuildKind {
  if (!env.simd || env.modelBytes > WASM32_MAX_MODEL_BYTES) return 'stock';
  return env.threads > 1 ? 'simd-mt' : 'simd';
}
