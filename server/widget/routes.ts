/**
 * Widget keys over HTTP: the administrators' routes (/api/admin/widgets, admitted by the
 * guard for administrators only) and the public status probe a widget calls from a host
 * page (GET /api/widget/status?key=<prefix>), which names a key by its prefix only.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../errors';
import { auditor } from '../api/admin';
import { idText } from '#protocol/portal/decimal';
import type { Auth } from '../auth/service';
import { parse } from '../auth/wire';
import {
  WIDGET_ENGINE_PAGE,
  type CreatedWidgetKeyResponse,
  type WidgetKeyJson,
  type WidgetStatusResponse
} from '#protocol/widget/types';
import { sendAppIndex } from '../http/static-app';
import type { FrameRule } from '../http/security-headers';
import { newWidgetKeySchema } from '#protocol/widget/requests';
import { sessionPrincipal } from '../auth/session-principal';
import { looksLikeWidgetPrefix, type WidgetKey } from './keys';
import { pageAllowed } from './origins';

const idParams = z.object({ id: idText });
const statusQuery = z.object({ key: z.string().max(200).optional() });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function widgetKeyJson(key: WidgetKey): WidgetKeyJson {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    origins: key.origins,
    models: key.models,
    rateLimitPerMin: key.rateLimitPerMin,
    requireSignIn: key.requireSignIn,
    browserEngine: key.browserEngine,
    createdAt: new Date(key.createdAt).toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt)
  };
}

/**
 * Who may frame the engine page for a key: the portal and the key's origins, while the
 * key is active and lets visitors run models in their tab. Origin rules are canonical
 * (scheme, host or *.host, port), which is also valid CSP source syntax.
 */
function engineFrameRule(key: WidgetKey | undefined): FrameRule {
  const usable = key && key.revokedAt === null && key.browserEngine;
  return { ancestors: usable ? ["'self'", ...key.origins] : ["'self'"] };
}

export function registerWidgetRoutes(app: FastifyInstance, auth: Auth, appDir: string): void {
  const audit = auditor(auth);

  // → { widgetKeys: WidgetKeyJson[] }
  app.get('/api/admin/widgets', async () => {
    const store = await auth.store();
    return { widgetKeys: store.widgets.list().map(widgetKeyJson) };
  });

  // { name, origins, models, rateLimitPerMin? = 20 } → 201 { key (shown once), widgetKey }
  app.post('/api/admin/widgets', async (req, reply) => {
    if (!auth.enabled)
      throw new HttpError(409, 'widget keys need sign-in on this server (HEARTH_AUTH=on)');
    const body = parse(newWidgetKeySchema, req.body);
    const store = await auth.store();
    const { key, widgetKey } = store.widgets.create({
      ...body,
      createdBy: req.principal?.user.id ?? null
    });
    await audit(req, {
      action: 'widget.create',
      target: widgetKey.prefix,
      detail: { name: widgetKey.name, origins: widgetKey.origins, models: widgetKey.models }
    });
    const answer: CreatedWidgetKeyResponse = { key, widgetKey: widgetKeyJson(widgetKey) };
    return reply.code(201).send(answer);
  });

  // → { widgetKey } (revokedAt set; the widget stops on its next request)
  app.delete('/api/admin/widgets/:id', async (req) => {
    const { id } = parse(idParams, req.params);
    const store = await auth.store();
    const widgetKey = store.widgets.revoke(id);
    await audit(req, { action: 'widget.revoke', target: widgetKey.prefix });
    return { widgetKey: widgetKeyJson(widgetKey) };
  });

  // ?key=hw_1a2b3c4d → the app's shell for the widget's browser engine, framable by the
  // key's origins only.
  app.get(WIDGET_ENGINE_PAGE, async (req, reply) => {
    const { key: prefix } = parse(statusQuery, req.query);
    const store = auth.enabled ? await auth.store() : undefined;
    const key =
      prefix && looksLikeWidgetPrefix(prefix) ? store?.widgets.byPrefix(prefix) : undefined;
    return sendAppIndex(reply, appDir, engineFrameRule(key));
  });

  // ?key=hw_1a2b3c4d → WidgetStatusResponse, for the Origin (and the session, when the
  // browser sent credentials) of the page asking.
  app.get('/api/widget/status', async (req, reply): Promise<WidgetStatusResponse> => {
    reply.header('Cache-Control', 'no-store');
    if (!auth.enabled) return { state: 'off' };
    const { key: prefix } = parse(statusQuery, req.query);
    const store = await auth.store();
    const key =
      prefix && looksLikeWidgetPrefix(prefix) ? store.widgets.byPrefix(prefix) : undefined;
    if (!key) return { state: 'unknown' };
    if (key.revokedAt !== null) return { state: 'revoked' };
    if (!pageAllowed(key.origins, req)) return { state: 'origin' };
    const usable = { models: key.models, browserEngine: key.browserEngine };
    if (key.requireSignIn && !sessionPrincipal(req, store))
      return { state: 'signin', ...usable, signInUrl: '/login' };
    return { state: 'ok', ...usable };
  });
}
