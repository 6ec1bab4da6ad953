/**
 * Which build files belong to an in-browser engine (web-llm, wllama) rather than the app
 * shell. The service worker precaches the shell on install and caches engine files only
 * once a model actually loads them: they are most of the build's bytes, and a visitor who
 * never picks an engine (or only uses server models) should not download them.
 */

/** Package folders whose code makes an engine chunk (matched against bundled module ids). */
export const ENGINE_PACKAGES = ['/node_modules/@mlc-ai/web-llm/', '/node_modules/@wllama/wllama/'];

/**
 * Engine files recognisable by their URL alone: WebAssembly (llama.cpp builds), the
 * emscripten glue and pthread script of Hearth's own wllama builds (`wllama*.glue.*.js`,
 * `wllama*.worker.*.js`) and
 * worker bundles (web-llm runs in a dedicated worker that bundles the whole library).
 */
export function isEngineUrl(pathname: string): boolean {
  return (
    /\.wasm$/i.test(pathname) ||
    /\/wllama[^/]*\.(glue|worker)\.[^/]*js$/i.test(pathname) ||
    pathname.includes('/_app/immutable/workers/')
  );
}

/** Does a bundled module come from an engine package? Module ids may use either slash. */
export function isEngineModule(moduleId: string): boolean {
  const id = moduleId.replaceAll('\\', '/');
  return ENGINE_PACKAGES.some((folder) => id.includes(folder));
}

/**
 * Splits the build's file list: `engineChunks` are the hashed chunk paths the build saw
 * engine packages in (their names carry no hint, so the build passes them on).
 */
export function splitPrecache(
  assets: readonly string[],
  engineChunks: readonly string[]
): { shell: string[]; engine: string[] } {
  const chunks = new Set(engineChunks);
  const shell: string[] = [];
  const engine: string[] = [];
  for (const path of assets) (chunks.has(path) || isEngineUrl(path) ? engine : shell).push(path);
  return { shell, engine };
}
