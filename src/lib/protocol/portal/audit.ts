/**
 * The audit log's vocabulary, shared by the server that records and exports entries and
 * the page that shows them: every action it records, the one spelling of a grant's
 * target, and how an entry's ids read as names. Plain code (no zod), so the app may
 * import it at runtime.
 */
import type { AuditActor, AuditEntry, AuditRef, SubjectType } from './types';

/** Everything the server records; the admin page has a sentence for each (admin.audit.actions). */
export const AUDIT_ACTIONS = [
  'auth.setup',
  'auth.login',
  'auth.login_failed',
  'auth.login_throttled',
  'auth.logout',
  'auth.password',
  'user.create',
  'user.update',
  'user.delete',
  'key.create',
  'key.update',
  'key.revoke',
  'group.create',
  'group.update',
  'group.delete',
  'group.member_add',
  'group.member_remove',
  'permission.set',
  'permission.remove',
  'widget.create',
  'widget.revoke',
  'model.create',
  'model.copy',
  'model.delete',
  'model.pull',
  'model.push',
  'settings.model_source'
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A grant's audit target: its subject by id (names change, ids do not) and its pattern. */
export function permissionTarget(subjectType: SubjectType, subjectId: number, pattern: string) {
  return `${subjectType}:${subjectId} ${pattern}`;
}

export function parsePermissionTarget(
  target: string | null
): { subjectType: SubjectType; subjectId: number; pattern: string } | null {
  const match = /^(user|group):(\d+) (.+)$/.exec(target ?? '');
  if (!match) return null;
  return { subjectType: match[1] as SubjectType, subjectId: Number(match[2]), pattern: match[3] };
}

/** How a user or group deleted since reads ("#7 (deleted)"); the page says it in its language. */
export type DeletedName = (name: string) => string;

export function refName(ref: AuditRef, deleted: DeletedName): string {
  return ref.name ?? deleted(`#${ref.id}`);
}

/** "Zhang Wei (zhang)", or the username recorded with the entry once the account is gone. */
export function actorName(actor: AuditActor, deleted: DeletedName): string {
  if (actor.deleted) return deleted(actor.username);
  return actor.displayName ? `${actor.displayName} (${actor.username})` : actor.username;
}

/** The entry's detail with the user ids it holds (memberIds, userId) replaced by names. */
export function namedDetail(
  entry: AuditEntry,
  deleted: DeletedName
): Record<string, unknown> | null {
  if (!entry.detail) return null;
  const detail = { ...entry.detail };
  if (entry.members) detail.memberIds = entry.members.map((ref) => refName(ref, deleted));
  if (entry.subject && 'userId' in detail) detail.userId = refName(entry.subject, deleted);
  return detail;
}
