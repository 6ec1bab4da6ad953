/**
 * Typed calls for the admin page of widget keys (/api/admin/widgets), and the one line a
 * site owner pastes into a page.
 */
import type { CreatedWidgetKeyResponse, NewWidgetKey, WidgetKeyJson } from '#protocol/widget/types';
import { portalJson } from './client';

export async function listWidgetKeys(): Promise<WidgetKeyJson[]> {
  return (await portalJson<{ widgetKeys: WidgetKeyJson[] }>('/api/admin/widgets')).widgetKeys;
}

export function createWidgetKey(input: NewWidgetKey): Promise<CreatedWidgetKeyResponse> {
  return portalJson<CreatedWidgetKeyResponse>('/api/admin/widgets', { body: input });
}

export async function revokeWidgetKey(keyId: number): Promise<WidgetKeyJson> {
  const path = `/api/admin/widgets/${encodeURIComponent(String(keyId))}`;
  return (await portalJson<{ widgetKey: WidgetKeyJson }>(path, { method: 'DELETE' })).widgetKey;
}

const attribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The model a key's snippet and preview name: the first listed name without a wildcard. */
export function snippetModel(models: string[]): string | undefined {
  return models.find((m) => !m.includes('*'));
}

/** The script tag for a key. */
export function widgetSnippet(server: string, key: string, models: string[]): string {
  const model = snippetModel(models) ?? 'MODEL';
  return (
    `<script src="${attribute(`${server}/widget.js`)}" data-model="${attribute(model)}" ` +
    `data-key="${attribute(key)}" async></script>`
  );
}
