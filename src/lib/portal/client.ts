/**
 * The portal's own endpoints (same origin as the app) through the API client: the
 * session cookie goes along, writes carry the CSRF token, and a refusal arrives as an
 * ApiError with the server's message, so pages can show it as is.
 */
import { ApiClient } from '#protocol/client';

let csrfToken: string | null = null;

/** Set by the session after sign-in; required by the server for cookie-authenticated writes. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * The header the server requires on cookie-authenticated writes; also for same-origin
 * clients that cannot go through portalFetch (the chat's RemoteEngine, upload progress).
 */
export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

const portal = new ApiClient({
  credentials: 'same-origin',
  headers: (method) => (method === 'GET' || method === 'HEAD' ? {} : csrfHeaders())
});

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

/** The response of a 2xx (or of any HEAD, whose status the caller reads). */
export function portalFetch(path: string, options: RequestOptions = {}): Promise<Response> {
  return portal.send(path, { method: options.method, json: options.body, signal: options.signal });
}

/** JSON request to the portal; 204 answers resolve to undefined. */
export function portalJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return portal.json<T>(path, {
    method: options.method,
    json: options.body,
    signal: options.signal
  });
}
