/**
 * The audit log: who did what, when, from where. Entries are append-only and keep the
 * actor's username as it was, so history still reads right after an account is deleted;
 * when read, accounts that still exist are named as they are now (the actor joined here,
 * everything else in ./audit-names).
 * Callers must never put secrets (passwords, keys, tokens) into detail.
 */
import type { AuditEntry } from '#protocol/portal/types';
import type { ParsedAuditFilter } from '#protocol/portal/requests';
import { truncateText } from '../errors';
import { nameReferences, type StoredEntry } from './audit-names';
import { optionalNumber, type HearthDatabase, type Params, type Row } from './db';
import type { User } from './users';

export type { AuditEntry };
export type AuditFilter = ParsedAuditFilter;

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

  /**
   * Newest first; pass the last id seen as `before` for the next page. Filters run in
   * SQL; names are looked up afterwards for the page's entries only.
   */
  page(
    limit: number,
    before?: number,
    filter: AuditFilter = {}
  ): { entries: AuditEntry[]; nextBefore: number | null } {
    const { where, params } = filterClause(filter);
    const rows = this.db.all(
      `SELECT a.*, u.username AS now_username, u.display_name AS now_display_name
       FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
       WHERE a.id < ?${where} ORDER BY a.id DESC LIMIT ?`,
      [before ?? Number.MAX_SAFE_INTEGER, ...params, limit + 1]
    );
    const entries = nameReferences(this.db, rows.slice(0, limit).map(storedEntry));
    return { entries, nextBefore: rows.length > limit ? entries[entries.length - 1].id : null };
  }
}

function filterClause(filter: AuditFilter): { where: string; params: Params } {
  let where = '';
  const params: Params = [];
  if (filter.actorId !== undefined) {
    where += ' AND a.actor_user_id = ?';
    params.push(filter.actorId);
  }
  if (filter.action?.includes('.')) {
    where += ' AND a.action = ?';
    params.push(filter.action);
  } else if (filter.action) {
    // A family as a range ("user." ≤ action < "user/"): no LIKE, so "_" is no wildcard.
    where += ' AND a.action >= ? AND a.action < ?';
    params.push(`${filter.action}.`, `${filter.action}/`);
  }
  if (filter.since !== undefined) {
    where += ' AND a.at >= ?';
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where += ' AND a.at < ?';
    params.push(filter.until);
  }
  return { where, params };
}

function storedEntry(row: Row): StoredEntry {
  const actorId = optionalNumber(row.actor_user_id);
  const gone = row.now_username === null;
  return {
    id: Number(row.id),
    at: new Date(Number(row.at)).toISOString(),
    actor:
      actorId === null
        ? null
        : {
            id: actorId,
            username: String(gone ? row.actor_username : row.now_username),
            displayName: gone ? '' : String(row.now_display_name),
            deleted: gone
          },
    action: String(row.action),
    target: row.target === null ? null : String(row.target),
    detail:
      row.detail === null ? null : (JSON.parse(String(row.detail)) as Record<string, unknown>),
    ip: row.ip === null ? null : String(row.ip)
  };
}
