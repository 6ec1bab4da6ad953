/**
 * The portal's default model source, as an administrator reads and sets it
 * (/api/admin/model-source). Users receive it with the weights listing (./weights).
 */
import type {
  ModelSourceRequest,
  ModelSourceResponse,
  ModelSourceSetting
} from '#protocol/portal/types';
import { portalJson } from './client';

export async function getPortalModelSource(): Promise<ModelSourceSetting | null> {
  return (await portalJson<ModelSourceResponse>('/api/admin/model-source')).modelSource;
}

/** Returns the default as the server stored it (URL normalized); null clears it. */
export async function setPortalModelSource(
  modelSource: ModelSourceSetting | null
): Promise<ModelSourceSetting | null> {
  const body = { modelSource } satisfies ModelSourceRequest;
  return (await portalJson<ModelSourceResponse>('/api/admin/model-source', { method: 'PUT', body }))
    .modelSource;
}
