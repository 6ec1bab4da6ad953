/**
 * The audit log for administrators: GET /api/admin/audit, a page at a time as JSON for
 * the admin page, and GET /api/admin/audit.csv, every entry the same filters match, for
 * a spreadsheet. Both are admin-only like all of /api/admin (server/auth/policy.ts).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { actorName, namedDetail, refName, type DeletedName } from '#protocol/portal/audit';
import { auditFilterSchema, auditQuerySchema } from '#protocol/portal/requests';
import type { AuditEntry } from '#protocol/portal/types';
import type { AuditFilter, AuditLog } from '../auth/audit';
import type { Auth } from '../auth/service';
import { parse } from '../auth/wire';
import { CSV_BOM, csvLine } from '../http/csv';

/** The export reads this many entries at a time, so a long log never sits in memory twice. */
const EXPORT_PAGE = 1000;
const COLUMNS = ['id', 'time', 'actor_id', 'actor', 'action', 'target', 'subject', 'detail', 'ip'];

/** The export is for any spreadsheet, not a person's page: it is written in English. */
const deleted: DeletedName = (name) => `${name} (deleted)`;

function subjectCell(entry: AuditEntry): string {
  if (entry.subject) return `${entry.subject.type} ${refName(entry.subject, deleted)}`;
  if (entry.key) return entry.key.owner ? `${entry.key.name} (${entry.key.owner})` : entry.key.name;
  return '';
}

function csvRow(entry: AuditEntry): string {
  const detail = namedDetail(entry, deleted);
  return csvLine([
    entry.id,
    entry.at,
    entry.actor?.id,
    entry.actor && actorName(entry.actor, deleted),
    entry.action,
    entry.target,
    subjectCell(entry),
    detail && JSON.stringify(detail),
    entry.ip
  ]);
}

function* csvExport(audit: AuditLog, filter: AuditFilter): Generator<string> {
  yield CSV_BOM + csvLine(COLUMNS);
  let before: number | undefined;
  do {
    const page = audit.page(EXPORT_PAGE, before, filter);
    if (page.entries.length) yield page.entries.map(csvRow).join('');
    before = page.nextBefore ?? undefined;
  } while (before !== undefined);
}

export function registerAuditRoutes(app: FastifyInstance, auth: Auth): void {
  // ?limit=50&before=<id>&actorId&action&since&until → { entries: AuditEntry[], nextBefore } (newest first)
  app.get('/api/admin/audit', async (req) => {
    const { limit, before, ...filter } = parse(auditQuerySchema, req.query);
    const store = await auth.store();
    return store.audit.page(limit, before, filter);
  });

  // ?actorId&action&since&until → a text/csv attachment of every matching entry, newest first
  app.get('/api/admin/audit.csv', async (req, reply) => {
    const filter = parse(auditFilterSchema, req.query);
    const store = await auth.store();
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="hearth-audit-${day}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(Readable.from(csvExport(store.audit, filter)));
  });
}
