/**
 * Who is making a request, as the guard established it. Routes read request.principal;
 * it is null for anonymous requests (always, when sign-in is off).
 */
import type { ApiKey, Session } from './credentials';
import type { Grant } from './permissions';
import type { User } from './users';
import type { WidgetKey } from '../widget/keys';

export interface Principal {
  user: User;
  /** "widget": a host page's widget key, acting as no account (see server/widget/guard.ts). */
  via: 'session' | 'key' | 'widget';
  session?: Session;
  key?: ApiKey;
  widget?: WidgetKey;
  /** The user's own grants and their groups', loaded once per request. */
  grants: Grant[];
}

/** The small view of the caller that other modules (monitoring, portal) read. */
export interface RequestUser {
  id: string;
  /** "admin" or "user"; typed loosely because other modules and tests set it too. */
  role: string;
  username?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Mirrors principal.user for code that only needs id and role; null when anonymous. */
    user: RequestUser | null;
  }
}

export function requestUser(principal: Principal | null): RequestUser | null {
  if (!principal) return null;
  if (principal.widget)
    return {
      id: `widget:${principal.widget.id}`,
      username: principal.user.username,
      role: 'widget'
    };
  const { id, username, role } = principal.user;
  return { id: String(id), username, role };
}

export function isAdmin(principal: Principal | null): boolean {
  return principal?.user.role === 'admin';
}
