/**
 * Wire types of the embeddable widget: the widget keys an administrator manages under
 * /api/admin/widgets and the public status probe a widget calls from a host page
 * (GET /api/widget/status). Shared by the server, the admin pages and widget.js.
 */

export interface WidgetKeyJson {
  id: number;
  name: string;
  /** The visible start of the key ("hw_1a2b3c4d"); the key itself is shown once, at creation. */
  prefix: string;
  /** Host-page origins allowed to use the key: "https://wiki.corp.example" or "https://*.corp.example". */
  origins: string[];
  /** Model patterns the key may chat with (same rules as permission grants). */
  models: string[];
  /** Requests per minute per visitor (client address); 0 = unlimited. */
  rateLimitPerMin: number;
  /**
   * Visitors must also be signed in to the portal (its session cookie travels with the
   * widget's requests, which browsers allow only when the host page is on the same site).
   */
  requireSignIn: boolean;
  /**
   * Visitors may download the key's models (GGUF, from the portal) to run them in their
   * own tab (engine="browser" or "auto"); otherwise answers always come from the server.
   */
  browserEngine: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** POST /api/admin/widgets body, derived from the schema the server validates with. */
export type { NewWidgetKey } from './requests';

/** POST /api/admin/widgets: `key` is shown this once. */
export interface CreatedWidgetKeyResponse {
  key: string;
  widgetKey: WidgetKeyJson;
}

/**
 * What a host page may learn about its widget key before chatting, so the panel can say
 * why it cannot answer instead of staying blank:
 *  - ok: the key is active and this page's origin is on its list;
 *  - origin: the key is active but this page's origin is not allowed;
 *  - revoked: an administrator revoked the key;
 *  - unknown: no such key;
 *  - off: this server has sign-in off, and widget keys need it on;
 *  - signin: the key requires a signed-in visitor and the request carried no valid
 *    session (a probe sent without credentials always gets this for such a key).
 */
export type WidgetState = 'ok' | 'origin' | 'revoked' | 'unknown' | 'off' | 'signin';

/** GET /api/widget/status?key=<prefix> */
export interface WidgetStatusResponse {
  state: WidgetState;
  /** The models the key may chat with, when state is "ok" or "signin". */
  models?: string[];
  /** Where a visitor signs in, when state is "signin" (the portal's own page). */
  signInUrl?: string;
  /** The key lets visitors run its models in their tab, when state is "ok" or "signin". */
  browserEngine?: boolean;
}

/** The longest answer a widget gets, in tokens, from the server or in the visitor's tab. */
export const WIDGET_MAX_ANSWER_TOKENS = 1_024;

/** The routes a widget key may call: chat, in the Ollama or the OpenAI dialect. */
export const WIDGET_CHAT_ROUTES = ['/api/chat', '/v1/chat/completions'] as const;
export const WIDGET_STATUS_ROUTE = '/api/widget/status';
/**
 * The page that runs a widget's browser engine, framed by the host page's panel: on the
 * portal's origin, so every page of a site shares one cached copy of the weights.
 * `?key=<prefix>` names the key whose origins may frame it.
 */
export const WIDGET_ENGINE_PAGE = '/embed/engine';
