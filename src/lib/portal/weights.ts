/**
 * Weights a Hearth portal offers to browsers on its LAN (GET /api/portal/weights), as
 * catalog entries: GGUF blobs download through the ordinary resumable path and are
 * verified against the listed digest; MLC folders are handed to web-llm by URL. Ids are
 * the portal's model names ("portal:<name>"), stable across reloads, so a model fetched
 * once stays ready offline — its entry is kept in db().models from the first download.
 */
import type {
  GgufWeights,
  MlcWeights,
  ModelSourceSetting,
  PortalWeights,
  PortalWeightsResponse
} from '#protocol/portal/types';
import { readModelSource } from '#protocol/portal/model-source';
import { ggufMemoryBytes } from '../models/gguf-builtins';
import { mlcNeedsShaderF16 } from '../models/mlc-catalog';
import type { CatalogModel } from '../models/types';
import { portalJson } from './client';

export const PORTAL_GGUF_PREFIX = 'portal:';
export const PORTAL_MLC_PREFIX = 'portal-mlc:';

/** Listed by a portal (whether or not the portal is reachable now). */
export function isPortalModel(model: CatalogModel): boolean {
  return (
    (model.source.kind === 'url' && model.source.portal !== undefined) ||
    model.source.kind === 'mlc-portal'
  );
}

export function ggufWeightsToCatalog(w: GgufWeights): CatalogModel {
  return {
    id: `${PORTAL_GGUF_PREFIX}${w.name}`,
    name: w.name,
    format: 'gguf',
    quantization: w.quantization || 'unknown',
    sizeBytes: w.size,
    memoryBytes: ggufMemoryBytes(w.size),
    ...(w.context_length ? { contextLength: w.context_length } : {}),
    completionOnly: w.completionOnly,
    source: { kind: 'url', url: w.url, portal: w.name },
    sha256: w.digest.toLowerCase(),
    builtin: false
  };
}

export function mlcWeightsToCatalog(w: MlcWeights): CatalogModel {
  const needsShaderF16 = mlcNeedsShaderF16({
    model_id: w.model_id,
    required_features: w.required_features
  });
  return {
    id: `${PORTAL_MLC_PREFIX}${w.name}`,
    name: w.name,
    format: 'mlc',
    quantization: w.quantization ?? 'unknown',
    sizeBytes: w.size,
    // The listing has no VRAM figure: the weights plus KV cache and buffers, as for GGUF.
    memoryBytes: ggufMemoryBytes(w.size),
    ...(w.context_length ? { contextLength: w.context_length } : {}),
    needsShaderF16,
    source: { kind: 'mlc-portal', portal: w.name, model: w.model, modelLib: w.model_lib },
    builtin: false
  };
}

export function portalWeightsToCatalog(list: readonly PortalWeights[]): CatalogModel[] {
  return list.map((w) => (w.format === 'gguf' ? ggufWeightsToCatalog(w) : mlcWeightsToCatalog(w)));
}

/**
 * What the signed-in user may download from the portal, and where its administrator wants
 * catalog models fetched from (null: no default); throws ApiError on refusal.
 */
export async function fetchPortalListing(
  signal?: AbortSignal
): Promise<{ models: CatalogModel[]; modelSource: ModelSourceSetting | null }> {
  const body = await portalJson<PortalWeightsResponse>('/api/portal/weights', { signal });
  return {
    models: portalWeightsToCatalog(body.models ?? []),
    modelSource: readModelSource(body.modelSource)
  };
}

export async function fetchPortalWeights(signal?: AbortSignal): Promise<CatalogModel[]> {
  return (await fetchPortalListing(signal)).models;
}

/**
 * The catalog with the portal's current listing merged in. A stored entry (kept since its
 * download started, refined after verification) wins while it still describes the same
 * file; when the portal now lists different bytes under that name, the listing wins so a
 * new download is verified against the new digest. MLC entries always take the listing.
 */
export function mergePortalCatalog(
  catalog: readonly CatalogModel[],
  listed: readonly CatalogModel[]
): CatalogModel[] {
  const fresh = new Map(listed.map((m) => [m.id, m]));
  const merged = catalog.map((stored) => {
    const now = fresh.get(stored.id);
    if (!now) return stored;
    fresh.delete(stored.id);
    // MLC entries are only URLs: the listing is always the current truth.
    if (now.format === 'mlc') return now;
    return now.sha256 && stored.sha256 !== now.sha256 ? now : stored;
  });
  return [...merged, ...fresh.values()];
}
