/**
 * Effective access in the permission matrix: what a user may do in a cell without a
 * grant of their own there, and which grants give it, so the admin sees why. It follows
 * the server exactly (server/auth/guard.ts and access.ts): an administrator may do
 * everything (the matrix already says "all models"), a disabled account nothing at all,
 * and anyone else holds a right on a model when one of their own or their groups' grants
 * carries that right and its pattern matches the name — decided by the server's own
 * grantAllows. Use and download are separate rights; neither implies the other.
 *
 * It is computed from the draft, so the matrix previews what Save would change.
 *
 * A pattern column names no model, and the server only ever matches patterns against
 * model names, so whether "*" covers "qwen*" is never decided there; the only right a
 * pattern column inherits is a group's grant on that very pattern.
 */
import { grantAllows, modelMatcher, type ModelRight } from '#protocol/portal/grants';
import type { Grant, UserRole } from '#protocol/portal/types';
import { cellAt, cellKey, grantsOf, type Cells, type Column } from './permission-draft';

/** What the matrix knows of a user from the admin user listing. */
export interface Member {
  id: number;
  role: UserRole;
  disabled: boolean;
  groupIds: number[];
}

/**
 * One grant behind an inherited right: a group's (`group`), one on a pattern other than
 * the column's (`pattern`), or a group's on another pattern (both).
 */
export interface Reason {
  group?: string;
  pattern?: string;
}

/** The rights a cell inherits, each with its reasons; a right held explicitly is absent. */
export type Inherited = Partial<Record<ModelRight, Reason[]>>;

const RIGHTS: ModelRight[] = ['canUse', 'canDownload'];

function groupBy<K>(grants: Grant[], keyOf: (grant: Grant) => K): Map<K, Grant[]> {
  const out = new Map<K, Grant[]>();
  for (const g of grants) {
    const key = keyOf(g);
    const list = out.get(key);
    if (list) list.push(g);
    else out.set(key, [g]);
  }
  return out;
}

/** The granted patterns that cover a column: matched once per column, not once per user. */
function coveringPatterns(patterns: string[], column: Column): Set<string> {
  const covers = column.isModel
    ? modelMatcher(column.pattern)
    : (pattern: string) => pattern === column.pattern;
  return new Set(patterns.filter(covers));
}

function reasonOf(grant: Grant, column: Column, groupNames: Record<number, string>): Reason {
  const reason: Reason = {};
  if (grant.subjectType === 'group')
    reason.group = groupNames[grant.subjectId] ?? `#${grant.subjectId}`;
  if (grant.modelPattern !== column.pattern) reason.pattern = grant.modelPattern;
  return reason;
}

const compareReasons = (a: Reason, b: Reason) =>
  (a.group ?? '').localeCompare(b.group ?? '', undefined, { numeric: true }) ||
  (a.pattern ?? '').localeCompare(b.pattern ?? '');

/**
 * The inherited rights of every user cell in `columns`, keyed by cellKey; cells that
 * inherit nothing are left out.
 */
export function inheritedAccess(
  cells: Cells,
  users: Member[],
  groupNames: Record<number, string>,
  columns: Column[]
): Record<string, Inherited> {
  const grants = grantsOf(cells);
  const bySubject = groupBy(grants, (g) => `${g.subjectType}:${g.subjectId}`);
  const patterns = [...new Set(grants.map((g) => g.modelPattern))];
  const covering = columns.map((column) => coveringPatterns(patterns, column));
  const out: Record<string, Inherited> = {};
  for (const user of users) {
    if (user.role === 'admin' || user.disabled) continue;
    const held = groupBy(
      [`user:${user.id}`, ...user.groupIds.map((id) => `group:${id}`)].flatMap(
        (subject) => bySubject.get(subject) ?? []
      ),
      (g) => g.modelPattern
    );
    if (held.size === 0) continue;
    columns.forEach((column, i) => {
      const covers = covering[i];
      const candidates: Grant[] = [];
      for (const pattern of covers) candidates.push(...(held.get(pattern) ?? []));
      if (candidates.length === 0) return;
      const key = cellKey('user', user.id, column.pattern);
      const own = cellAt(cells, key);
      const inherited: Inherited = {};
      for (const right of RIGHTS) {
        if (own[right]) continue;
        // The server's rule, with the matching done above.
        const reasons = candidates
          .filter((g) => grantAllows(g, right, column.pattern, (p) => covers.has(p)))
          .map((g) => reasonOf(g, column, groupNames));
        if (reasons.length > 0) inherited[right] = reasons.sort(compareReasons);
      }
      if (inherited.canUse || inherited.canDownload) out[key] = inherited;
    });
  }
  return out;
}
