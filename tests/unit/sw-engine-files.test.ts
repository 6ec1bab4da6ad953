import { describe, expect, it } from 'vitest';
import { isEngineModule, isEngineUrl, splitPrecache } from '../../src/lib/sw/engine-files';

describe('service worker precache split', () => {
  const assets = [
    '/_app/immutable/entry/start.abc.js',
    '/_app/immutable/nodes/0.abc.js',
    '/_app/immutable/chunks/Shell1.js',
    '/_app/immutable/chunks/WebLlm.js',
    '/_app/immutable/chunks/Wllama.js',
    '/_app/immutable/assets/wllama.abc.wasm',
    '/_app/immutable/assets/wllama-mt.glue.abc.js',
    '/_app/immutable/assets/wllama-mt.worker.abc.js',
    '/_app/immutable/workers/webgpu.worker-abc.js',
    '/_app/immutable/assets/0.abc.css',
    '/favicon.svg'
  ];

  it('keeps engine chunks, wasm and worker bundles out of the install precache', () => {
    const { shell, engine } = splitPrecache(assets, [
      '/_app/immutable/chunks/WebLlm.js',
      '/_app/immutable/chunks/Wllama.js'
    ]);
    expect(engine).toEqual([
      '/_app/immutable/chunks/WebLlm.js',
      '/_app/immutable/chunks/Wllama.js',
      '/_app/immutable/assets/wllama.abc.wasm',
      '/_app/immutable/assets/wllama-mt.glue.abc.js',
      '/_app/immutable/assets/wllama-mt.worker.abc.js',
      '/_app/immutable/workers/webgpu.worker-abc.js'
    ]);
    expect(shell).toEqual([
      '/_app/immutable/entry/start.abc.js',
      '/_app/immutable/nodes/0.abc.js',
      '/_app/immutable/chunks/Shell1.js',
      '/_app/immutable/assets/0.abc.css',
      '/favicon.svg'
    ]);
  });

  it('still splits wasm and workers by URL when the build passed no chunk list', () => {
    const { engine } = splitPrecache(assets, []);
    expect(engine.every(isEngineUrl)).toBe(true);
    expect(engine).toHaveLength(4);
  });

  it('recognises engine packages in bundled module ids, on any platform', () => {
    expect(isEngineModule('/repo/node_modules/@mlc-ai/web-llm/lib/index.js')).toBe(true);
    expect(isEngineModule('C:\\repo\\node_modules\\@wllama\\wllama\\esm\\index.js')).toBe(true);
    expect(isEngineModule('/repo/src/lib/engines/wasm.ts')).toBe(false);
    expect(isEngineModule('/repo/node_modules/dexie/dist/dexie.mjs')).toBe(false);
  });
});
