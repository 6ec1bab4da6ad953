/**
 * Fetch wrapper for the portal's own endpoints (same origin as the app): sends the session
 * cookie, adds the CSRF token to writes, and turns `{"error": "..."}` bodies into
 * PortalError with the HTTP status, so pages can show the server's message as is.
 */
export class PortalError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'PortalError';
  }
}

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

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

export async function portalFetch(path: string, options: RequestOptions = {}): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers = method === 'GET' ? {} : csrfHeaders();
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal
  });
  if (!response.ok) throw new PortalError(response.status, await errorMessage(response));
  return response;
}

/** JSON request to the portal; 204 answers resolve to undefined. */
export async function portalJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await portalFetch(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: string | { message?: string } };
    if (typeof body.error === 'string') return body.error;
    if (body.error?.message) return body.error.message;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return text.trim().slice(0, 200) || `${response.status} ${response.statusText}`;
}
