/**
 * The JSON shapes /api/auth and /api/admin answer with, and request validation. Times
 * are ISO 8601 strings; secrets never appear here except a new key's one-time `key`.
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { InvalidInputError, UnauthorizedError } from '../domain-errors';
import type { ApiKeyJson, GroupJson, UserJson } from '#protocol/portal/types';
import type { ApiKey } from './credentials';
import type { Group, User } from './users';

export type { ApiKeyJson, GroupJson, UserJson };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function userJson(user: User): UserJson {
  return { ...user, createdAt: new Date(user.createdAt).toISOString() };
}

export function keyJson(key: ApiKey): ApiKeyJson {
  return {
    ...key,
    createdAt: new Date(key.createdAt).toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt)
  };
}

export function groupJson(group: Group): GroupJson {
  return { ...group, createdAt: new Date(group.createdAt).toISOString() };
}

/** Validates a JSON body (or params/query) and names the offending field in the 400. */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message
    )
    .join('; ');
  throw new InvalidInputError(message);
}

/** The signed-in caller, or 401 (reachable while sign-in is off and nobody signed in). */
export function requireUser(req: FastifyRequest): User {
  if (!req.principal) throw new UnauthorizedError('sign in first', { code: 'sign_in_required' });
  return req.principal.user;
}
