/**
 * The guard's rules for requests that carry a widget key, applied in place of the
 * account rules (server/auth/guard.ts hands them over). A widget key can only chat, only
 * from its origins, only with its models, within its per-visitor rate; revocation holds
 * on the very next request because every request looks the key up again.
 *
 * Every refusal here happens before any handler runs, and the page can read it (the CORS
 * layer answers widget-key requests with the page's origin), so the panel can say why.
 */
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../domain-errors';
import { RateLimiter } from '../auth/ratelimit';
import { sessionPrincipal } from '../auth/session-principal';
import type { Principal } from '../auth/principal';
import type { Auth } from '../auth/service';
import type { User } from '../auth/users';
import { looksLikeWidgetKey, type WidgetKey } from './keys';
import { pageAllowed } from './origins';
import { isWidgetChatPath, isWidgetDownloadRequest } from './routes-policy';

/**
 * The account a widget request acts as: no account at all, or the signed-in visitor when
 * the key requires one — with the key's grants either way, and never an administrator's
 * rights, even when the visitor is one.
 */
function widgetPrincipal(key: WidgetKey, visitor: User | undefined): Principal {
  return {
    user: visitor
      ? { ...visitor, role: 'user' }
      : {
          id: 0,
          username: `widget:${key.prefix}`,
          displayName: key.name,
          role: 'user',
          disabled: false,
          createdAt: key.createdAt
        },
    via: 'widget',
    widget: key,
    grants: key.models.map((modelPattern) => ({
      subjectType: 'user',
      subjectId: 0,
      modelPattern,
      canUse: true,
      canDownload: key.browserEngine
    }))
  };
}

export function createWidgetGuard(auth: Auth) {
  // Per visitor: one bucket per key and client address.
  const limiter = new RateLimiter();

  return async function authenticateWidget(
    req: FastifyRequest,
    presented: string
  ): Promise<Principal> {
    if (!auth.enabled)
      throw new ForbiddenError('widget keys need sign-in on this server (HEARTH_AUTH=on)');
    const chat = req.method === 'POST' && isWidgetChatPath(req.url);
    const download = isWidgetDownloadRequest(req.method, req.url);
    if (!chat && !download)
      throw new ForbiddenError(
        'a widget key can only chat (POST /api/chat or /v1/chat/completions)'
      );
    const store = await auth.store();
    const key = looksLikeWidgetKey(presented) ? store.widgets.lookup(presented) : undefined;
    if (!key) throw new UnauthorizedError('invalid widget key');
    if (key.revokedAt !== null) throw new UnauthorizedError('this widget key has been revoked');
    if (download && !key.browserEngine)
      throw new ForbiddenError(
        'this widget key does not let visitors download models (its browser engine is off)'
      );
    const origin = req.headers.origin;
    if (!pageAllowed(key.origins, req))
      throw new ForbiddenError(
        origin
          ? `origin "${origin}" is not allowed for this widget key`
          : 'a widget key is for web pages: the request has no Origin header'
      );
    // Questions count against the visitor's rate; the engine page's downloads do not (a
    // visitor fetches a model once, and a slow link may need a few resumed requests).
    const taken = chat
      ? limiter.take(`${key.id} ${req.ip}`, key.rateLimitPerMin)
      : { ok: true as const };
    if (!taken.ok)
      throw new RateLimitedError(
        `rate limit exceeded for this widget; retry in ${taken.retryAfterSeconds} s`,
        taken.retryAfterSeconds
      );
    const visitor = key.requireSignIn ? sessionPrincipal(req, store)?.user : undefined;
    if (key.requireSignIn && !visitor)
      throw new UnauthorizedError('sign in to the portal to use this assistant', {
        code: 'sign_in_required'
      });
    store.widgets.touch(key);
    return widgetPrincipal(key, visitor);
  };
}
