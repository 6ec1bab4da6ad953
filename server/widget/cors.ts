/**
 * What the CORS layer (server/http/cors.ts) lets through for the widget from origins it
 * would otherwise refuse with 403:
 *
 *  - "any": widget.js, its chunks and the status probe. They are public and hold no
 *    secret, and the probe is a simple GET a browser sends without a preflight, so a page
 *    whose preflight was refused can still learn why (origin not listed, key revoked).
 *    Answered with `Access-Control-Allow-Origin: *` and never with credentials.
 *  - "reflect": a chat request carrying a widget key (the guard then checks the key,
 *    its origins, models and rate, and refuses before any handler runs; the page may read
 *    that refusal), and the preflight for a chat route, but only from an origin that some
 *    active widget key lists: the preflight carries no key, so it cannot be tied to one.
 *    The status probe too, from such an origin, so a key that requires a signed-in
 *    visitor can be asked with the visitor's session. Reflected answers allow
 *    credentials: the session cookie counts only for a key that requires sign-in, and
 *    only from its own origins (server/widget/guard.ts).
 *  - "no": everything else keeps the existing rule.
 */
import type { FastifyRequest } from 'fastify';
import type { Auth } from '../auth/service';
import { originAllowed } from './origins';
import {
  isWidgetAssetPath,
  isWidgetChatPath,
  isWidgetStatusPath,
  presentedWidgetKey
} from './routes-policy';

export type WidgetCorsDecision = 'any' | 'reflect' | 'no';
export type WidgetCors = (req: FastifyRequest) => Promise<WidgetCorsDecision>;

export function createWidgetCors(auth: Auth): WidgetCors {
  return async (req) => {
    const method = req.method;
    const listed = async () => {
      const store = await auth.store();
      const origin = req.headers.origin;
      return store.widgets.active().some((key) => originAllowed(key.origins, origin));
    };
    if (method === 'GET' || method === 'HEAD') {
      if (isWidgetStatusPath(req.url)) return auth.enabled && (await listed()) ? 'reflect' : 'any';
      return isWidgetAssetPath(req.url) ? 'any' : 'no';
    }
    if (!auth.enabled || !isWidgetChatPath(req.url)) return 'no';
    if (method === 'POST') return presentedWidgetKey(req) === undefined ? 'no' : 'reflect';
    if (method !== 'OPTIONS' || req.headers['access-control-request-method'] !== 'POST')
      return 'no';
    return (await listed()) ? 'reflect' : 'no';
  };
}
