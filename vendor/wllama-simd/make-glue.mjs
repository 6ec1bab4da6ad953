// Turns emscripten 3.1.6's wllama.js into the glue wllama's worker loads (setCompat({ worker })).
// usage: node make-glue.mjs <emitted wllama.js> <output .glue.js> [--pthreads]
import fs from 'node:fs';

/** Filled in by src/lib/engines/wllama-runtime.ts (keep the two in step). */
const PTHREAD_WORKER_MARKER = 'hearth:pthread-worker-url';
const GLUE_URL_MARKER = 'hearth:glue-url';
const [input, output, flag] = process.argv.slice(2);
const pthreads = flag === '--pthreads';
let code = fs.readFileSync(input, 'utf8');
// wllama's worker reads Module.wasmMemory; 3.1.6 drops "wasmMemory" from EXPORTED_RUNTIME_METHODS in a
// single-thread build (pthread builds export it), so export it by hand.
if (!/Module\["wasmMemory"\]\s*=\s*wasmMemory/.test(code))
  code += '\n;Module["wasmMemory"]=wasmMemory;\n';
// 3.1.6 pthread builds clear the "wasm-instantiate" run dependency only from the per-worker load callbacks, so
// with a pool of 0 workers (what wllama asks for at 1 thread) the runtime never starts.
const HANG = 'var numWorkersToLoad=PThread.unusedWorkers.length;';
if (code.includes(HANG) && !code.includes(HANG + 'if(!numWorkersToLoad)'))
  code = code.replace(HANG, HANG + 'if(!numWorkersToLoad)removeRunDependency("wasm-instantiate");');
// 3.1.6 starts each pthread from a separate wllama.worker.js found through locateFile, which
// wllama's worker refuses to resolve, and that script then importScripts() the glue from the
// Blob wllama built, which the app's CSP (script-src 'self') forbids in a worker loaded from
// a URL. The app ships both as assets and puts their URLs in place of these markers when it
// loads the glue.
const replaceOnce = (from, to) => {
  if (!code.includes(from)) throw new Error(`${input}: no ${from} to replace`);
  code = code.replaceAll(from, JSON.stringify(to));
};
if (pthreads) {
  replaceOnce('locateFile("wllama.worker.js")', PTHREAD_WORKER_MARKER);
  replaceOnce('Module["mainScriptUrlOrBlob"]||_scriptDir', GLUE_URL_MARKER);
}
fs.writeFileSync(output, code);
console.log(`wrote ${output} (${code.length} chars)`);
