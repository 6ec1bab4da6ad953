/**
 * Cross-origin policy. A disallowed Origin is answered 403 before any handler runs, as
 * Ollama does: a CORS header alone would still let a foreign page's "simple" POST (no
 * preflight) pull or delete models. Loopback-bound servers also refuse foreign Host
 * headers, which is what a DNS-rebinding page would send. The embeddable widget's
 * requests from host pages follow their own narrower rules (server/widget/cors.ts).
 */
import os from 'node:os';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors';
import { isAllowedLocalHostHeader, isLoopbackHost, isSameOrigin, originMatcher } from './origins';
import type { WidgetCors, WidgetCorsDecision } from '../widget/cors';

/** Headers browsers send from Ollama/OpenAI client libraries (the x-stainless-* ones are OpenAI's). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'User-Agent',
  'Accept',
  'X-Requested-With',
  'OpenAI-Organization',
  'OpenAI-Project',
  'x-stainless-arch',
  'x-stainless-async',
  'x-stainless-custom-poll-interval',
  'x-stainless-helper-method',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-poll-helper',
  'x-stainless-retry-count',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-timeout'
];

export interface CorsSettings {
  /** Extra allowed origins (OLLAMA_ORIGINS). */
  origins: string[];
  /** The address the server binds; loopback enables the Host-header check. */
  host: string;
  /** Widget requests from host pages, which OLLAMA_ORIGINS does not list (server/widget/cors.ts). */
  widget?: WidgetCors;
}

function forbid(reply: FastifyReply, message: string, url: string) {
  return reply.code(403).send(errorBody(url, 403, message));
}

export async function registerCors(app: FastifyInstance, settings: CorsSettings): Promise<void> {
  const allowed = originMatcher(settings.origins);
  const guardHost = isLoopbackHost(settings.host);
  const machineName = os.hostname();
  const widgetDecisions = new WeakMap<FastifyRequest, WidgetCorsDecision>();

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (guardHost && !isAllowedLocalHostHeader(req.headers.host, machineName)) {
      return forbid(reply, `host "${req.headers.host}" is not allowed`, req.url);
    }
    const origin = req.headers.origin;
    if (!origin || isSameOrigin(origin, req.headers.host)) return;
    // Widget requests follow the widget's rules even from an OLLAMA_ORIGINS origin (the
    // defaults list every loopback port): a key that requires sign-in needs credentials.
    const widget = (await settings.widget?.(req)) ?? 'no';
    if (widget !== 'no') widgetDecisions.set(req, widget);
    else if (!allowed(origin))
      return forbid(reply, `origin "${origin}" is not allowed; add it to OLLAMA_ORIGINS`, req.url);
  });

  await app.register(cors, {
    delegator: (req, callback) => {
      const origin = req.headers.origin;
      const widget = widgetDecisions.get(req);
      callback(null, {
        origin:
          widget === 'any' ? '*' : widget === 'reflect' || origin === undefined || allowed(origin),
        // A widget key that requires a signed-in visitor needs the portal's session cookie.
        credentials: widget === 'reflect',
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowedHeaders: ALLOWED_HEADERS,
        maxAge: 600
      });
    }
  });
}
