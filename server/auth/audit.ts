/**
 * The audit log: who did what, when, from where. Entries are append-only and keep the
 * actor's username as it was, so history still reads right after an account is deleted.
 * Callers must never put secrets (passwords, keys, tokens) into detail.
 */
import type { AuditEntry } from '#protocol/portal/types';
import { truncateText } from '../errors';
import type { HearthDatabase } from './db';
import type { User } from './users';

export type { AuditEntry };

export interface AuditInput {
  actor: Pick<User, 'id' | 'username'> | null;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string;
}

/** Targets often echo client input (a model name); the whole database is rewritten per write. */
const MAX_TARGET = 256;
const MAX_DETAIL = 4096;

function boundedDetail(detail: Record<string, unknown> | undefined): string | null {
  if (!detail) return null;
  const text = JSON.stringify(detail);
  return text.length <= MAX_DETAIL
    ? text
    : JSON.stringify({ truncated: truncateText(text, MAX_DETAIL) });
}

export class AuditLog {
  constructor(private readonly db: HearthDatabase) {}

  record(entry: AuditInput): void {
    this.db.transaction(() =>
      this.db.run(
        `INSERT INTO audit_log (at, actor_user_id, actor_username, action, target, detail, ip)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          Date.now(),
          entry.actor?.id ?? null,
          entry.actor?.username ?? null,
          entry.action,
          entry.target == null ? null : truncateText(entry.target, MAX_TARGET),
          boundedDetail(entry.detail),
          entry.ip ?? null
        ]
      )
    );
  }

  /** Newest first; pass the last id seen as `before` for the next page. */
  page(limit: number, before?: number): { entries: AuditEntry[]; nextBefore: number | null } {
    const rows = this.db.all(`SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`, [
      before ?? Number.MAX_SAFE_INTEGER,
      limit + 1
    ]);
    const entries = rows.slice(0, limit).map((row) => ({
      id: Number(row.id),
      at: new Date(Number(row.at)).toISOString(),
      actor:
        row.actor_user_id === null
          ? null
          : { id: Number(row.actor_user_id), username: String(row.actor_username) },
      action: String(row.action),
      target: row.target === null ? null : String(row.target),
      detail:
        row.detail === null ? null : (JSON.parse(String(row.detail)) as Record<string, unknown>),
      ip: row.ip === null ? null : String(row.ip)
    }));
    return { entries, nextBefore: rows.length > limit ? entries[entries.length - 1].id : null };
  }
}
