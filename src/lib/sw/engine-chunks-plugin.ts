/**
 * Build step: tells the service worker which hashed chunks hold an engine library.
 * SvelteKit names chunks by hash only, so nothing in a URL says "web-llm"; the client
 * bundle does know which modules each chunk contains. SvelteKit builds the service worker
 * afterwards with the app's `define` values, so the list travels as a define constant
 * (`[]` outside a build, where the worker then splits by URL alone).
 */
import type { Plugin, ResolvedConfig } from 'vite';
import { isEngineModule } from './engine-files';

export const ENGINE_CHUNKS_DEFINE = '__HEARTH_ENGINE_CHUNKS__';

/**
 * Every resolved config of this build process. SvelteKit's client build is a nested build
 * that loads vite.config.ts again (a second plugin instance), while the service worker is
 * built with the outer build's config, so the instances share one registry.
 */
const REGISTRY = Symbol.for('hearth.engineChunks.configs');

function registry(): Set<ResolvedConfig> {
  const holder = globalThis as { [REGISTRY]?: Set<ResolvedConfig> };
  return (holder[REGISTRY] ??= new Set());
}

export function engineChunks(): Plugin {
  const configs = registry();
  return {
    name: 'hearth-engine-chunks',
    config: () => ({ define: { [ENGINE_CHUNKS_DEFINE]: '[]' } }),
    configResolved(config) {
      configs.add(config);
    },
    generateBundle(_options, bundle) {
      const files = Object.values(bundle);
      // Only the browser bundle has SvelteKit's client entry; the server build does not.
      if (!files.some((f) => f.fileName.includes('/immutable/entry/'))) return;
      const chunks = files
        .filter((f) => f.type === 'chunk' && Object.keys(f.modules).some(isEngineModule))
        .map((f) => `/${f.fileName}`)
        .sort();
      for (const config of configs)
        (config.define as Record<string, string>)[ENGINE_CHUNKS_DEFINE] = JSON.stringify(chunks);
    }
  };
}
