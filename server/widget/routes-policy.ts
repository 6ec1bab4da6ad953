/**
 * Which requests belong to the widget, decided from method, path and headers alone (the
 * CORS layer and the guard both ask, before routing).
 */
import type { FastifyRequest } from 'fastify';
import { canonicalPath } from '../auth/policy';
import { WIDGET_CHAT_ROUTES, WIDGET_STATUS_ROUTE } from '#protocol/widget/types';

const CHAT_PATHS = new Set<string>(WIDGET_CHAT_ROUTES);

export function isWidgetChatPath(url: string): boolean {
  return CHAT_PATHS.has(canonicalPath(url));
}

/**
 * What a browser-engine widget fetches from the engine page (same origin as the portal):
 * the weights listing and the GGUF blobs it names.
 */
export function isWidgetDownloadRequest(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = canonicalPath(url);
  return path === '/api/portal/weights' || /^\/v2\/[^/]+\/[^/]+\/blobs\/[^/]+$/.test(path);
}

export function isWidgetStatusPath(url: string): boolean {
  return canonicalPath(url) === WIDGET_STATUS_ROUTE;
}

/** widget.js and the chunks it loads on open (built into the app directory, see vite.widget.config.ts). */
export function isWidgetAssetPath(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/widget.js' || /^\/widget\/[A-Za-z0-9._-]+\.js$/.test(path);
}

/**
 * The widget key a request presents, when its Authorization header carries one. Any
 * "Bearer hw_…" counts, well-formed or not, so a mangled widget key is refused by the
 * widget rules (with an answer the page can read) rather than as an API key.
 */
export function presentedWidgetKey(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  return /^Bearer\s+(hw_\S*)\s*$/i.exec(header)?.[1];
}
