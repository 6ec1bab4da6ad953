/**
 * The request guard: establishes who is calling (API key or session cookie), refuses
 * what they may not do (401 without valid credentials, 403 for a missing CSRF token or
 * a non-admin on an admin route, 429 over a key's rate limit), and audits admin model
 * operations. It throws the domain's errors (server/domain-errors.ts), which
 * server/http/errors.ts maps to a status and renders in the caller's dialect (Ollama's {"error"}, OpenAI's {"error":{…}} or, under /v2/, the
 * registry's {"errors":[…]}).
 *
 * Credentials:
 *  - `Authorization: Bearer hk_…` — programs. Revocation and disabling take effect on the
 *    very next request: every request looks the key and its owner up again.
 *  - `Authorization: Bearer hw_…` — a host page's widget key: chat only, from its origins,
 *    with its models (server/widget/guard.ts).
 *  - the `hearth_session` cookie — the web app. Browsers attach cookies on their own, so
 *    state-changing requests must also echo the session's CSRF token in X-CSRF-Token,
 *    which a cross-site form cannot know or set.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../domain-errors';
import { routePolicy, type RoutePolicy } from './policy';
import { requestUser, type Principal } from './principal';
import { sessionPrincipal } from './session-principal';
import type { Auth, AuthStore } from './service';
import { looksLikeApiKey, safeEqual } from './tokens';
import { createWidgetGuard } from '../widget/guard';
import { presentedWidgetKey } from '../widget/routes-policy';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_HEADER = 'x-csrf-token';

const unauthorized = (message: string) => new UnauthorizedError(message);

/** Reads the caller's credentials; throws 401 for a presented but unusable API key. */
export function authenticate(req: FastifyRequest, store: AuthStore): Principal | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized("invalid Authorization header: expected 'Bearer <API key>'");
    const key = looksLikeApiKey(match[1]) ? store.keys.lookup(match[1]) : undefined;
    if (!key) throw unauthorized('invalid or revoked API key');
    const user = store.users.byId(key.userId);
    if (!user || user.disabled) throw unauthorized('this account is disabled');
    store.keys.touch(key);
    return { user, via: 'key', key, grants: store.permissions.forUser(user.id) };
  }
  return sessionPrincipal(req, store);
}

/** Cookie-authenticated writes must carry the session's CSRF token. */
export function assertCsrf(req: FastifyRequest, principal: Principal | null): void {
  if (principal?.via !== 'session' || !UNSAFE_METHODS.has(req.method)) return;
  const sent = req.headers[CSRF_HEADER];
  const token = Array.isArray(sent) ? sent[0] : sent;
  if (!token || !safeEqual(token, principal.session!.csrfToken))
    throw new ForbiddenError('missing or invalid CSRF token (send the X-CSRF-Token header)', {
      code: 'csrf'
    });
}

function enforceRateLimit(auth: Auth, principal: Principal): number | undefined {
  const key = principal.key;
  if (!key) return undefined;
  const limit = key.rateLimitPerMin ?? auth.config.rateLimitPerMin;
  const taken = auth.limiter.take(key.id, limit);
  if (taken.ok) return undefined;
  return taken.retryAfterSeconds;
}

function auditTarget(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields.source === 'string' && typeof fields.destination === 'string')
    return `${fields.source} → ${fields.destination}`;
  const name = fields.model ?? fields.name;
  return typeof name === 'string' ? name : undefined;
}

export function registerGuard(app: FastifyInstance, auth: Auth): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('user', null);
  const identify = (req: FastifyRequest, principal: Principal | null) => {
    req.principal = principal;
    req.user = requestUser(principal);
  };
  const policies = new WeakMap<FastifyRequest, RoutePolicy>();
  const authenticateWidget = createWidgetGuard(auth);

  app.addHook('onRequest', async (req) => {
    if (req.method === 'OPTIONS') return; // CORS preflights carry no credentials
    // A widget key follows its own, narrower rules whatever the route and sign-in mode.
    const widgetKey = presentedWidgetKey(req);
    if (widgetKey !== undefined) {
      identify(req, await authenticateWidget(req, widgetKey));
      return;
    }
    const policy = routePolicy(req.method, req.url);
    policies.set(req, policy);
    if (!auth.enabled) {
      // Everything is open; account routes still learn who is signed in, if anyone.
      if (policy.accountRoute) {
        const store = await auth.store();
        identify(req, authenticateQuietly(req, store));
        if (policy.access !== 'public') assertCsrf(req, req.principal);
      }
      return;
    }
    const store = await auth.store();
    if (policy.access === 'public') {
      identify(req, authenticateQuietly(req, store));
      return;
    }
    const principal = authenticate(req, store);
    if (!principal)
      throw new UnauthorizedError(
        'authentication required: sign in, or send an API key as "Authorization: Bearer <key>"',
        { code: 'sign_in_required' }
      );
    identify(req, principal);
    assertCsrf(req, principal);
    if (policy.access === 'admin' && principal.user.role !== 'admin')
      throw new ForbiddenError('this action requires an administrator', {
        code: 'admin_required'
      });
    const retryAfter = enforceRateLimit(auth, principal);
    if (retryAfter !== undefined)
      throw new RateLimitedError(
        `rate limit exceeded for API key ${principal.key!.prefix}; retry in ${retryAfter} s`,
        retryAfter,
        { code: 'rate_limited', params: { seconds: retryAfter } }
      );
  });

  app.addHook('onResponse', async (req, reply) => {
    const policy = policies.get(req);
    if (!policy?.auditAction || !req.principal || !auth.enabled) return;
    const store = await auth.store();
    store.audit.record({
      actor: req.principal.user,
      action: policy.auditAction,
      target: auditTarget(req.body),
      detail: { status: reply.statusCode },
      ip: req.ip
    });
  });
}

/** For public routes: who is calling, if anyone, without refusing bad credentials. */
function authenticateQuietly(req: FastifyRequest, store: AuthStore): Principal | null {
  try {
    return authenticate(req, store);
  } catch {
    return null;
  }
}
