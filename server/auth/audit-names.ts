/**
 * Names for what audit entries refer to by id or key prefix, looked up when the log is
 * read rather than when it is written: the stored entry stays exactly as recorded, a
 * renamed user or group reads with today's name, and one deleted since has name null.
 * One query per table for a whole page, however many entries refer to it.
 */
import { parsePermissionTarget } from '#protocol/portal/audit';
import type { AuditEntry, AuditKeyRef, AuditRef, SubjectType } from '#protocol/portal/types';
import type { HearthDatabase, Params, Row } from './db';

/** An entry as the table holds it (actor already joined with its account). */
export type StoredEntry = Omit<AuditEntry, 'subject' | 'members' | 'key'>;

/** Well under SQLite's limit on bound parameters per statement. */
const CHUNK = 500;

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && Number(value) > 0;

function membersOf(entry: StoredEntry): number[] | null {
  const ids = entry.detail?.memberIds;
  return Array.isArray(ids) ? ids.filter(isId) : null;
}

/** The user or group the entry is about, where it was recorded by id. */
function subjectOf(entry: StoredEntry): { type: SubjectType; id: number } | null {
  if (entry.action.startsWith('permission.')) {
    const grant = parsePermissionTarget(entry.target);
    return grant && { type: grant.subjectType, id: grant.subjectId };
  }
  const userId = entry.detail?.userId;
  return entry.action.startsWith('group.member_') && isId(userId)
    ? { type: 'user', id: userId }
    : null;
}

function keyPrefixOf(entry: StoredEntry): string | null {
  return /^(key|widget)\./.test(entry.action) ? entry.target : null;
}

/** Rows of `select … IN (…)` for every value, a chunk of values per statement. */
function rowsFor(db: HearthDatabase, select: string, values: Params): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK);
    rows.push(...db.all(`${select} IN (${chunk.map(() => '?').join(', ')})`, chunk));
  }
  return rows;
}

function namesById(db: HearthDatabase, select: string, ids: Set<number>): Map<number, string> {
  return new Map(rowsFor(db, select, [...ids]).map((row) => [Number(row.id), String(row.name)]));
}

/** API key prefixes are not unique (widget keys' are): an ambiguous one names nothing. */
function keysByPrefix(db: HearthDatabase, prefixes: Set<string>): Map<string, AuditKeyRef> {
  const rows = [
    ...rowsFor(
      db,
      `SELECT k.prefix, k.name, u.username AS owner
       FROM api_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.prefix`,
      [...prefixes].filter((p) => p.startsWith('hk_'))
    ),
    ...rowsFor(
      db,
      'SELECT prefix, name, NULL AS owner FROM widget_keys WHERE prefix',
      [...prefixes].filter((p) => p.startsWith('hw_'))
    )
  ];
  const keys = new Map<string, AuditKeyRef | null>();
  for (const row of rows) {
    const prefix = String(row.prefix);
    const key = { name: String(row.name), owner: row.owner === null ? null : String(row.owner) };
    keys.set(prefix, keys.has(prefix) ? null : key);
  }
  return new Map([...keys].filter((pair): pair is [string, AuditKeyRef] => pair[1] !== null));
}

export function nameReferences(db: HearthDatabase, entries: StoredEntry[]): AuditEntry[] {
  const wanted = { user: new Set<number>(), group: new Set<number>() };
  const prefixes = new Set<string>();
  for (const entry of entries) {
    for (const id of membersOf(entry) ?? []) wanted.user.add(id);
    const subject = subjectOf(entry);
    if (subject) wanted[subject.type].add(subject.id);
    const prefix = keyPrefixOf(entry);
    if (prefix) prefixes.add(prefix);
  }
  const names = {
    user: namesById(db, 'SELECT id, username AS name FROM users WHERE id', wanted.user),
    group: namesById(db, 'SELECT id, name FROM groups WHERE id', wanted.group)
  };
  const keys = keysByPrefix(db, prefixes);
  const ref = (type: SubjectType, id: number): AuditRef => ({
    type,
    id,
    name: names[type].get(id) ?? null
  });
  return entries.map((entry) => {
    const subject = subjectOf(entry);
    const prefix = keyPrefixOf(entry);
    return {
      ...entry,
      subject: subject && ref(subject.type, subject.id),
      members: membersOf(entry)?.map((id) => ref('user', id)) ?? null,
      key: (prefix && keys.get(prefix)) || null
    };
  });
}
