/**
 * Creates wllama on the chosen llama.cpp build (see wllama-build.ts). `?url` makes Vite
 * ship each file as a build asset, so nothing comes from a CDN and the service worker
 * keeps an engine once it has run (sw/engine-files.ts).
 */
import { Wllama, type WllamaConfig } from '@wllama/wllama/esm/index.js';
import stockWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import simdWasmUrl from '../../../vendor/wllama-simd/wllama.wasm?url';
import simdGlueUrl from '../../../vendor/wllama-simd/wllama.glue.js?url';
import simdMtWasmUrl from '../../../vendor/wllama-simd/wllama-mt.wasm?url';
import simdMtGlueUrl from '../../../vendor/wllama-simd/wllama-mt.glue.js?url';
import simdMtWorkerUrl from '../../../vendor/wllama-simd/wllama-mt.worker.js?url&no-inline';
import { EngineError } from './engine';
import type { WllamaBuildKind } from './wllama-build';

interface BuildFiles {
  wasm: string;
  glue: string;
  /** The pthreads build's per-thread script (emscripten 3.1.6 loads it from a URL). */
  pthreadWorker?: string;
}

const SIMD_BUILDS: Record<Exclude<WllamaBuildKind, 'stock'>, BuildFiles> = {
  simd: { wasm: simdWasmUrl, glue: simdGlueUrl },
  'simd-mt': { wasm: simdMtWasmUrl, glue: simdMtGlueUrl, pthreadWorker: simdMtWorkerUrl }
};

/**
 * Where vendor/wllama-simd/make-glue.mjs left URLs for the pthreads build to fill in: the
 * per-thread script (wllama's worker resolves no file but the wasm, and Chromium fails a
 * pthread started from a Blob URL inside wllama's own Blob-URL worker), and the glue that
 * script imports (a Blob would need `blob:` in the app's script-src).
 */
const PTHREAD_WORKER_MARKER = JSON.stringify('hearth:pthread-worker-url');
const GLUE_URL_MARKER = JSON.stringify('hearth:glue-url');

const absolute = (url: string) => new URL(url, location.href).href;

/** An engine file that cannot be fetched, named, with what to do about it. */
function engineMissing(url: string, reason: string, cause?: unknown): EngineError {
  const name = new URL(url, location.href).pathname.split('/').pop();
  return new EngineError('engine-missing', `${name} could not be fetched (${reason}).`, {
    cause
  });
}

/** Fetches an engine file; a failure is an EngineError naming the file. */
async function fetchEngineFile(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw engineMissing(url, error instanceof Error ? error.message : String(error), error);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw engineMissing(url, `HTTP ${response.status}`);
  }
  return response;
}

/**
 * Makes sure every file of a build can be fetched before wllama starts: its worker waits
 * forever for a wasm or script it cannot get, so a device that went offline before keeping
 * the engine showed "Thinking…" for good. Only the headers are waited for here (the
 * service worker answers from its cache offline); wllama then fetches the files itself.
 */
async function assertFetchable(urls: string[]): Promise<void> {
  await Promise.all(
    urls.map(async (url) => {
      const response = await fetchEngineFile(url);
      await response.body?.cancel();
    })
  );
}

/** The glue as wllama takes it: a URL, or (pthreads) its text with the URLs filled in. */
async function glueFor(files: BuildFiles): Promise<string | { code: string }> {
  if (!files.pthreadWorker) return absolute(files.glue);
  const code = (await (await fetchEngineFile(files.glue)).text())
    .replaceAll(PTHREAD_WORKER_MARKER, JSON.stringify(absolute(files.pthreadWorker)))
    .replaceAll(GLUE_URL_MARKER, JSON.stringify(absolute(files.glue)));
  return { code };
}

/**
 * wllama runs a build given by URL only in its "compat" mode (wasm32, asyncify, numbers
 * for pointers), and picks that mode by itself only where JSPI or memory64 is missing.
 * Hearth's builds are exactly that flavour, so this always hands them over.
 */
class HearthBuildWllama extends Wllama {
  constructor(
    private readonly wasm: string,
    private readonly glue: string | { code: string },
    config: WllamaConfig
  ) {
    super({ default: wasm }, config);
  }

  override getWorkerResources(): ReturnType<Wllama['getWorkerResources']> {
    return { wasmPath: absolute(this.wasm), jsPath: this.glue, compat: true };
  }
}

export async function createWllama(kind: WllamaBuildKind, config: WllamaConfig): Promise<Wllama> {
  if (kind !== 'stock') {
    const files = SIMD_BUILDS[kind];
    const [glue] = await Promise.all([
      glueFor(files),
      assertFetchable(
        files.pthreadWorker ? [files.wasm, files.pthreadWorker] : [files.wasm, files.glue]
      )
    ]);
    return new HearthBuildWllama(files.wasm, glue, config);
  }
  await assertFetchable([stockWasmUrl]);
  const wllama = new Wllama({ default: stockWasmUrl }, config);
  // Without this, a browser lacking JSPI/memory64 fetches a "compat" build from a CDN.
  wllama.setCompat(null);
  return wllama;
}
