/**
 * What monitoring, status and the portal read from the auth layer. Auth lives in another
 * module (server/auth), so everything here is read defensively: a missing `ctx.access`
 * means sign-in is off, and when it is on but a piece is missing we refuse (fail closed).
 *
 * The contract the auth layer is expected to fill in:
 *   ctx.access = { enabled: boolean, canDownload?(request, modelName): boolean | Promise<boolean> }
 *   request.user = { id: string, role: 'admin' | string } once a request is signed in
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context';
import { sendError } from '../http/errors';

export interface AccessControl {
  enabled?: boolean;
  canDownload?(request: FastifyRequest, modelName: string): boolean | Promise<boolean>;
}

export interface RequestUser {
  id?: string;
  role?: string;
}

type ContextWithAccess = Pick<ServerContext, 'config'> & { access?: AccessControl };

export function accessOf(ctx: object): AccessControl | undefined {
  const access = (ctx as ContextWithAccess).access;
  return access && typeof access === 'object' ? access : undefined;
}

export function authEnabled(ctx: object): boolean {
  const access = accessOf(ctx);
  return access !== undefined && access.enabled !== false;
}

export function userOf(request: FastifyRequest): RequestUser | undefined {
  const user = (request as FastifyRequest & { user?: unknown }).user;
  return user && typeof user === 'object' ? (user as RequestUser) : undefined;
}

export function isAdmin(request: FastifyRequest): boolean {
  return userOf(request)?.role === 'admin';
}

/** The caller's user id for logs, when the auth layer has set one. */
export function userIdOf(request: FastifyRequest): string | undefined {
  const id = userOf(request)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Compares through fixed-length hashes so neither the length nor a prefix leaks by timing. */
export function secretsMatch(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b) && expected.length > 0;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match ? match[1].trim() : undefined;
}

/**
 * Admin-only endpoints: open when auth is off, otherwise 401 without a user and 403 for
 * a non-admin. Returns true when the handler may go on; otherwise the reply is sent.
 */
export function allowAdmin(ctx: object, request: FastifyRequest, reply: FastifyReply): boolean {
  if (!authEnabled(ctx) || isAdmin(request)) return true;
  if (!userOf(request)) {
    reply.header('www-authenticate', 'Bearer');
    void sendError(request, reply, 401, 'sign-in required');
  } else {
    void sendError(request, reply, 403, 'admin role required');
  }
  return false;
}
