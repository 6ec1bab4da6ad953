/**
 * Who a request's session cookie belongs to. Used by the guard for the web app, and by
 * the widget guard for keys that require a signed-in visitor.
 */
import type { FastifyRequest } from 'fastify';
import { SESSION_COOKIE, readCookie } from './cookies';
import type { Principal } from './principal';
import type { AuthStore } from './service';

/** The account whose session cookie the request carries, if any and still valid. */
export function sessionPrincipal(req: FastifyRequest, store: AuthStore): Principal | null {
  const token = readCookie(req, SESSION_COOKIE);
  if (!token) return null;
  // A stale or foreign cookie is the same as none: the app then shows its sign-in page.
  const session = store.sessions.lookup(token);
  const user = session && store.users.byId(session.userId);
  if (!session || !user || user.disabled) return null;
  return { user, via: 'session', session, grants: store.permissions.forUser(user.id) };
}
