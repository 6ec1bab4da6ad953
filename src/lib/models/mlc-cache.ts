/**
 * MLC weights live in web-llm's own cache (cacheBackend 'indexeddb', as the WebGPU engine
 * configures it), not in Hearth's chunk store: ask web-llm whether a model is there.
 * Portal-hosted models are looked up through their own records (mlcAppConfig).
 */
import type { AppConfig } from '@mlc-ai/web-llm';
import { mlcAppConfig } from './mlc-config';
import type { CatalogModel } from './types';

async function appConfig(models: readonly CatalogModel[]) {
  const webllm = await import('@mlc-ai/web-llm');
  return { webllm, config: mlcAppConfig(webllm.prebuiltAppConfig, models) as AppConfig };
}

/**
 * web-llm's IndexedDB cache keeps weights in databases named "webllm/model", "webllm/config"
 * and "webllm/wasm". Without any of them nothing is cached, and asking web-llm would only
 * download the library on a first visit. Unknown when the browser cannot list databases.
 */
export async function mayHaveMlcCache(idb: IDBFactory | undefined = globalThis.indexedDB) {
  if (!idb?.databases) return true;
  const names = await idb.databases().then(
    (dbs) => dbs.map((d) => d.name ?? ''),
    () => null
  );
  return names === null || names.some((name) => name.startsWith('webllm/'));
}

/** Ids of the given MLC models that web-llm has fully cached. */
export async function cachedMlcModels(models: readonly CatalogModel[]): Promise<Set<string>> {
  if (models.length === 0 || !(await mayHaveMlcCache())) return new Set();
  const { webllm, config } = await appConfig(models);
  const ids = models.map((m) => m.id);
  const cached = await Promise.all(
    ids.map((id) => webllm.hasModelInCache(id, config).catch(() => false))
  );
  return new Set(ids.filter((_, i) => cached[i]));
}

export async function deleteMlcModel(model: CatalogModel): Promise<void> {
  const { webllm, config } = await appConfig([model]);
  await webllm.deleteModelAllInfoInCache(model.id, config);
}
