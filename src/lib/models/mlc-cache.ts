/**
 * MLC weights live in web-llm's own cache (cacheBackend 'indexeddb', as the WebGPU engine
 * configures it), not in Hearth's chunk store: ask web-llm whether a model is there.
 * Portal-hosted models are looked up through their own records (mlcAppConfig).
 */
import type { AppConfig } from '@mlc-ai/web-llm';
import { mlcAppConfig } from './mlc-config';
import { HF_BASE, mlcHub } from './source';
import { effectiveModelSource } from './source-prefs';
import type { CatalogModel } from './types';

type WebLlm = typeof import('@mlc-ai/web-llm');

/**
 * The configs weights may be cached under, the chosen hub's first. web-llm keys its cache
 * by URL, so weights fetched from Hugging Face before a mirror was chosen are found (and
 * loaded without a new download) only under Hugging Face's URLs.
 */
export async function mlcAppConfigs(
  webllm: WebLlm,
  models: readonly CatalogModel[]
): Promise<AppConfig[]> {
  const { base } = mlcHub((await effectiveModelSource()).setting);
  const canonical = mlcAppConfig(webllm.prebuiltAppConfig, models) as AppConfig;
  if (base === HF_BASE) return [canonical];
  return [mlcAppConfig(webllm.prebuiltAppConfig, models, base) as AppConfig, canonical];
}

/** The config to load a model with: one its weights are cached under, else the chosen hub's. */
export async function mlcLoadConfig(webllm: WebLlm, model: CatalogModel): Promise<AppConfig> {
  const configs = await mlcAppConfigs(webllm, [model]);
  if (configs.length === 1) return configs[0];
  for (const config of configs)
    if (await webllm.hasModelInCache(model.id, config).catch(() => false)) return config;
  return configs[0];
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
  const webllm = await import('@mlc-ai/web-llm');
  const configs = await mlcAppConfigs(webllm, models);
  const ids = models.map((m) => m.id);
  const inCache = (id: string, config: AppConfig) =>
    webllm.hasModelInCache(id, config).catch(() => false);
  const cached = await Promise.all(
    ids.map(async (id) => (await Promise.all(configs.map((c) => inCache(id, c)))).includes(true))
  );
  return new Set(ids.filter((_, i) => cached[i]));
}

export async function deleteMlcModel(model: CatalogModel): Promise<void> {
  const webllm = await import('@mlc-ai/web-llm');
  for (const config of await mlcAppConfigs(webllm, [model]))
    await webllm.deleteModelAllInfoInCache(model.id, config);
}
