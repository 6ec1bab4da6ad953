/**
 * web-llm's appConfig for a set of catalog models: its prebuilt list, plus one model
 * record per MLC model a Hearth portal hosts, pointing at the portal's URLs so web-llm
 * fetches weights and the model library from the LAN instead of a hub. With a Hugging Face
 * mirror chosen as the model source, the prebuilt records' weights URLs point at it. Pure
 * (web-llm's prebuilt config is passed in), so it is unit-tested without loading web-llm.
 */
import { rebaseHfUrl } from './source';
import type { CatalogModel } from './types';

/** The fields of web-llm's ModelRecord Hearth fills in (its own type pulls in the library). */
export interface MlcRecord {
  model: string;
  model_id: string;
  model_lib: string;
  required_features?: string[];
  overrides?: { context_window_size?: number };
}

export interface MlcAppConfig<R = unknown> {
  model_list: Array<R | MlcRecord>;
  cacheBackend: 'indexeddb';
}

/** The record web-llm loads a portal-hosted MLC model from; null for every other model. */
export function portalMlcRecord(model: CatalogModel): MlcRecord | null {
  if (model.format !== 'mlc' || model.source.kind !== 'mlc-portal') return null;
  return {
    model: model.source.model,
    // web-llm looks records up by model_id: the catalog id keeps portal models apart from
    // a prebuilt model with the same folder name.
    model_id: model.id,
    model_lib: model.source.modelLib,
    ...(model.needsShaderF16 ? { required_features: ['shader-f16'] } : {}),
    ...(model.contextLength ? { overrides: { context_window_size: model.contextLength } } : {})
  };
}

/**
 * Prebuilt models (their weights under `hubBase` when it is not Hugging Face itself) plus
 * the portal records among `models`; weights cached in IndexedDB.
 */
export function mlcAppConfig<R extends { model_id: string; model?: string }>(
  prebuilt: { model_list: readonly R[] },
  models: readonly CatalogModel[] = [],
  hubBase?: string
): MlcAppConfig<R> {
  const records = models.map(portalMlcRecord).filter((r): r is MlcRecord => r !== null);
  const ids = new Set(records.map((r) => r.model_id));
  const rebased = (r: R): R =>
    hubBase && r.model ? { ...r, model: rebaseHfUrl(r.model, hubBase) } : r;
  return {
    ...prebuilt,
    model_list: [
      ...prebuilt.model_list.filter((r) => !ids.has(r.model_id)).map(rebased),
      ...records
    ],
    cacheBackend: 'indexeddb'
  };
}
