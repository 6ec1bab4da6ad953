/**
 * Models that run on the Hearth server itself (GET /api/tags lists only those the user
 * may use), as catalog entries the chat can pick next to in-browser ones. They stream
 * through the server's /api/chat (RemoteEngine, same origin, session cookie + CSRF).
 */
import type { ListModel, ListResponse, ShowResponse } from '#protocol/ollama/types';
import type { CatalogModel } from '../models/types';
import { followsChat } from '#protocol/ollama/show';
import { portalJson } from './client';

export const SERVER_PREFIX = 'server:';

export function isServerModel(model: CatalogModel): boolean {
  return model.source.kind === 'server';
}

export function serverModelToCatalog(m: ListModel): CatalogModel {
  const name = m.name || m.model;
  return {
    id: `${SERVER_PREFIX}${name}`,
    name,
    // Hearth's server runs GGUF (llama.cpp); the server reports the format it has.
    format: 'gguf',
    quantization: m.details?.quantization_level || 'unknown',
    sizeBytes: m.size,
    // Nothing is loaded in this browser.
    memoryBytes: 0,
    // No sha256: the listed digest is the manifest's, and no bytes reach this browser.
    source: { kind: 'server', name },
    builtin: false
  };
}

/** The server's models the signed-in user may chat with, by name. */
export async function fetchServerModels(signal?: AbortSignal): Promise<CatalogModel[]> {
  const body = await portalJson<ListResponse>('/api/tags', { signal });
  return (body.models ?? []).map(serverModelToCatalog).sort((a, b) => a.name.localeCompare(b.name));
}

const chats = new Map<string, Promise<boolean>>();

/** followsChat for a server model, asked once per page; false when /api/show fails. */
export function serverModelChats(model: CatalogModel): Promise<boolean> {
  if (model.source.kind !== 'server') return Promise.resolve(false);
  const name = model.source.name;
  let known = chats.get(name);
  if (!known) {
    known = portalJson<ShowResponse>('/api/show', { method: 'POST', body: { model: name } }).then(
      followsChat,
      () => false
    );
    chats.set(name, known);
  }
  return known;
}
