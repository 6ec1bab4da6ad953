/**
 * The permission matrix's editing model, kept apart from the component so it is tested:
 * the server's grants become cells keyed by subject and pattern, the admin edits a copy,
 * and Save sends only the cells that differ (a cell turned fully off is sent with both
 * flags false, which the server treats as "remove the grant").
 */
import type { Grant, PermissionMatrix, SubjectType } from '#protocol/portal/types';

export interface Cell {
  canUse: boolean;
  canDownload: boolean;
}

export type Cells = Record<string, Cell>;

/** A column: a server model, or a pattern that is not one (a glob, a tag-less name). */
export interface Column {
  pattern: string;
  isModel: boolean;
}

export interface Subject {
  type: SubjectType;
  id: number;
  name: string;
  role?: string;
}

const OFF: Cell = { canUse: false, canDownload: false };

export function cellKey(type: SubjectType, id: number, pattern: string): string {
  return `${type}:${id}\u0000${pattern}`;
}

export function cellsOf(grants: Grant[]): Cells {
  const cells: Cells = {};
  for (const g of grants) {
    cells[cellKey(g.subjectType, g.subjectId, g.modelPattern)] = {
      canUse: g.canUse,
      canDownload: g.canDownload
    };
  }
  return cells;
}

export function cellAt(cells: Cells, key: string): Cell {
  return cells[key] ?? OFF;
}

function grantAt(key: string, cell: Cell): Grant {
  const [subject, modelPattern] = key.split('\u0000');
  const colon = subject.indexOf(':');
  return {
    subjectType: subject.slice(0, colon) as SubjectType,
    subjectId: Number(subject.slice(colon + 1)),
    modelPattern,
    canUse: cell.canUse,
    canDownload: cell.canDownload
  };
}

/** The grants the cells hold (what the server would have once they are saved). */
export function grantsOf(cells: Cells): Grant[] {
  return Object.entries(cells)
    .filter(([, cell]) => cell.canUse || cell.canDownload)
    .map(([key, cell]) => grantAt(key, cell));
}

/** The grants to PUT: every cell whose flags differ from what the server has. */
export function changedGrants(original: Cells, draft: Cells): Grant[] {
  const out: Grant[] = [];
  for (const [key, cell] of Object.entries(draft)) {
    const before = cellAt(original, key);
    if (before.canUse === cell.canUse && before.canDownload === cell.canDownload) continue;
    out.push(grantAt(key, cell));
  }
  return out;
}

/**
 * Columns: granted patterns that are not model names (globs, tag-less names) first,
 * then the admin's own new patterns, then every server model; no duplicates.
 */
export function columnsOf(
  matrix: Pick<PermissionMatrix, 'patterns' | 'models'>,
  added: string[]
): Column[] {
  const models = new Set(matrix.models);
  const seen = new Set<string>();
  const columns: Column[] = [];
  const push = (pattern: string, isModel: boolean) => {
    if (seen.has(pattern)) return;
    seen.add(pattern);
    columns.push({ pattern, isModel });
  };
  for (const p of matrix.patterns) if (!models.has(p)) push(p, false);
  for (const p of added) if (!models.has(p)) push(p, false);
  for (const m of matrix.models) push(m, true);
  return columns;
}

/** Groups before users, each in name order ("科室2" before "科室10"). */
export function orderedSubjects(subjects: Subject[]): Subject[] {
  const rank = (s: Subject) => (s.type === 'group' ? 0 : 1);
  return [...subjects].sort(
    (a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, undefined, { numeric: true })
  );
}

/** Case-insensitive substring filter; an empty filter keeps everything. */
export function matchesFilter(text: string, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  return f === '' || text.toLowerCase().includes(f);
}

/**
 * The spelling the server stores a pattern in (trimmed, lower case), so a new column
 * lines up with the grants it gets back. Returns an error message for obvious junk;
 * the server has the final word.
 */
export function normalizeNewPattern(input: string): { pattern: string } | { error: string } {
  const pattern = input.trim().toLowerCase();
  if (pattern === '') return { error: 'empty' };
  if (!/^[a-z0-9_.:/*-]{1,200}$/.test(pattern)) return { error: 'characters' };
  return { pattern };
}
