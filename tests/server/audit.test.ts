/**
 * The audit log as an administrator reads it: names instead of ids (looked up when the
 * log is read, so renames show and deleted accounts say so), filters by actor, action
 * and time, and the CSV export: spreadsheet-safe cells, BOM, headers, the same filters,
 * and administrators only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell } from '../../server/http/csv';
import { startAdminServer, type AdminServer, type JsonAnswer } from './helpers';

const PASSWORD = 'a long enough password';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read what they assert
type Loose = Record<string, any>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RFC 4180 rows, so the tests read the export as a spreadsheet would. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += text[i++];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks, doubling embedded quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(7)).toBe('7');
  });

  it('turns what a spreadsheet would run as a formula into text', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(csvCell(`${start}1+1`)).toMatch(/^"?'/);
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('a=b')).toBe('a=b');
  });
});

describe('the audit log for administrators', () => {
  let server: AdminServer;
  const api = (method: string, route: string, body?: unknown) => server.api(method, route, body);
  const ids: Record<string, number> = {};
  const marks: Record<string, string> = {};
  let daveHeaders: Record<string, string>;

  async function created(answer: Promise<JsonAnswer>, field: 'user' | 'group') {
    const res = await answer;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body[field].id as number;
  }
  const entries = async (query = '') => {
    const res = await api('GET', `/api/admin/audit?limit=500${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.entries as Loose[];
  };
  const csv = (query = '', headers = server.headers) =>
    fetch(`${server.url}/api/admin/audit.csv${query}`, { headers });

  beforeAll(async () => {
    server = await startAdminServer('root', PASSWORD);
    const user = (username: string, extra: object = {}) =>
      created(api('POST', '/api/admin/users', { username, password: PASSWORD, ...extra }), 'user');
    ids.alice = await user('alice', { displayName: 'Alice Liddell' });
    ids.carol = await user('carol');
    ids.dave = await user('dave', { role: 'admin' });
    ids.staff = await created(
      api('POST', '/api/admin/groups', { name: 'staff', memberIds: [ids.alice, ids.carol] }),
      'group'
    );
    expect(
      (await api('DELETE', `/api/admin/groups/${ids.staff}/members/${ids.carol}`)).status
    ).toBe(200);
    await api('PUT', '/api/admin/permissions', {
      grants: [
        { subjectType: 'user', subjectId: ids.carol, modelPattern: 'stories', canUse: true },
        { subjectType: 'group', subjectId: ids.staff, modelPattern: 'qwen*', canUse: true }
      ]
    });
    const key = await api('POST', `/api/admin/users/${ids.alice}/keys`, { name: 'laptop' });
    expect((await api('DELETE', `/api/admin/keys/${key.body.apiKey.id}`)).status).toBe(200);

    await sleep(5);
    marks.dave = new Date().toISOString();
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'dave', password: PASSWORD })
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    daveHeaders = {
      cookie: login.headers.get('set-cookie')!.split(';')[0],
      'x-csrf-token': csrfToken
    };
    const ops = await fetch(`${server.url}/api/admin/groups`, {
      method: 'POST',
      headers: daveHeaders,
      body: JSON.stringify({ name: 'ops', memberIds: [ids.alice] })
    });
    expect(ops.status).toBe(201);
    await sleep(5);
    marks.after = new Date().toISOString();

    // Renamed and deleted after the fact: the log must read as things are now.
    await api('PATCH', `/api/admin/users/${ids.alice}`, { username: 'alicia' });
    expect((await api('DELETE', `/api/admin/users/${ids.carol}`)).status).toBe(204);
    expect((await api('DELETE', `/api/admin/users/${ids.dave}`)).status).toBe(204);
    // What a spreadsheet would run, and text that needs quoting, typed as a username.
    await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: '=HYPERLINK("x"),\n张伟', password: 'wrong password!' })
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('names the members, subjects and keys an entry refers to by id, as they are now', async () => {
    const all = await entries();
    const staff = all.find((e) => e.action === 'group.create' && e.target === 'staff')!;
    // Stored as recorded; names beside it.
    expect(staff.detail).toEqual({ memberIds: [ids.alice, ids.carol] });
    expect(staff.members).toEqual([
      { type: 'user', id: ids.alice, name: 'alicia' },
      { type: 'user', id: ids.carol, name: null }
    ]);
    const removed = all.find((e) => e.action === 'group.member_remove')!;
    expect(removed.subject).toEqual({ type: 'user', id: ids.carol, name: null });
    const grants = all.filter((e) => e.action === 'permission.set');
    expect(grants.map((e) => e.subject)).toEqual(
      expect.arrayContaining([
        { type: 'user', id: ids.carol, name: null },
        { type: 'group', id: ids.staff, name: 'staff' }
      ])
    );
    for (const action of ['key.create', 'key.revoke'])
      expect(all.find((e) => e.action === action)!.key).toEqual({
        name: 'laptop',
        owner: 'alicia'
      });
    expect(all.find((e) => e.action === 'user.delete')!.subject).toBeNull();
  });

  it('names the actor with their display name, or as recorded once deleted', async () => {
    const all = await entries();
    const ops = all.find((e) => e.action === 'group.create' && e.target === 'ops')!;
    expect(ops.actor).toEqual({ id: ids.dave, username: 'dave', displayName: '', deleted: true });
    const rename = all.find((e) => e.action === 'user.update' && e.target === 'alicia')!;
    expect(rename.actor).toEqual({
      id: server.adminId,
      username: 'root',
      displayName: '',
      deleted: false
    });
    const failed = all.find((e) => e.action === 'auth.login_failed')!;
    expect(failed.actor).toBeNull();
  });

  it('filters by actor, by action or family, and by time', async () => {
    const byDave = await entries(`&actorId=${ids.dave}`);
    expect(byDave.map((e) => e.action)).toEqual(['group.create', 'auth.login']);
    const groups = await entries('&action=group');
    expect(new Set(groups.map((e) => e.action))).toEqual(
      new Set(['group.create', 'group.member_remove'])
    );
    const creates = await entries('&action=group.create');
    expect(creates.map((e) => e.target)).toEqual(['ops', 'staff']);
    expect(await entries('&action=group.nothing')).toEqual([]);
    const window = await entries(`&since=${marks.dave}&until=${marks.after}`);
    expect(window.map((e) => e.action)).toEqual(['group.create', 'auth.login']);
    const before = await entries(`&until=${marks.dave}`);
    expect(before.map((e) => e.action)).not.toContain('auth.login');
    expect(before.map((e) => e.action)).toContain('key.revoke');
    const both = await entries(`&since=${marks.after}&action=user&actorId=${server.adminId}`);
    expect(both.map((e) => e.action)).toEqual(['user.delete', 'user.delete', 'user.update']);
  });

  it('pages through a filtered log', async () => {
    const first = await api('GET', '/api/admin/audit?limit=1&action=user.create');
    expect(first.body.entries.map((e: { target: string }) => e.target)).toEqual(['dave']);
    const next = await api(
      'GET',
      `/api/admin/audit?limit=5&action=user.create&before=${first.body.nextBefore}`
    );
    expect(next.body.entries.map((e: { target: string }) => e.target)).toEqual(['carol', 'alice']);
    expect(next.body.nextBefore).toBeNull();
  });

  it('refuses a malformed filter with a 400 that names it', async () => {
    for (const [query, field] of [
      ['action=USER', 'action'],
      ['action=user.create;drop', 'action'],
      ['actorId=01', 'actorId'],
      ['since=yesterday', 'since'],
      ['until=2025-01-31', 'until']
    ]) {
      const res = await api('GET', `/api/admin/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toMatch(new RegExp(`^${field}: `));
      expect((await csv(`?${query}`)).status, query).toBe(400);
    }
  });

  it('exports every matching entry as a spreadsheet-safe UTF-8 CSV attachment', async () => {
    const res = await csv();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="hearth-audit-\d{4}-\d{2}-\d{2}\.csv"$/
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.startsWith(CSV_BOM)).toBe(true);
    const [header, ...rows] = parseCsv(text.slice(1));
    expect(header).toEqual([
      'id',
      'time',
      'actor_id',
      'actor',
      'action',
      'target',
      'subject',
      'detail',
      'ip'
    ]);
    expect(rows.length).toBe((await entries()).length);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    const cell = (row: string[], column: string) => row[header.indexOf(column)];
    const failed = rows.find((r) => cell(r, 'action') === 'auth.login_failed')!;
    expect(cell(failed, 'target')).toBe('\'=HYPERLINK("x"),\n张伟');
    expect(cell(failed, 'actor')).toBe('');
    const staff = rows.find(
      (r) => cell(r, 'action') === 'group.create' && cell(r, 'target') === 'staff'
    )!;
    expect(JSON.parse(cell(staff, 'detail'))).toEqual({
      memberIds: ['alicia', `#${ids.carol} (deleted)`]
    });
    expect(cell(staff, 'actor')).toBe('root');
    const removed = rows.find((r) => cell(r, 'action') === 'group.member_remove')!;
    expect(JSON.parse(cell(removed, 'detail'))).toEqual({ userId: `#${ids.carol} (deleted)` });
    expect(cell(removed, 'subject')).toBe(`user #${ids.carol} (deleted)`);
    const ops = rows.find((r) => cell(r, 'target') === 'ops')!;
    expect(cell(ops, 'actor')).toBe('dave (deleted)');
    expect(cell(ops, 'actor_id')).toBe(String(ids.dave));
    const grant = rows.find((r) => cell(r, 'target') === `user:${ids.carol} stories`)!;
    expect(cell(grant, 'subject')).toBe(`user #${ids.carol} (deleted)`);
    const key = rows.find((r) => cell(r, 'action') === 'key.revoke')!;
    expect(cell(key, 'subject')).toBe('laptop (alicia)');
  });

  it('applies the same filters to the export', async () => {
    const text = (await (await csv(`?action=group.create&actorId=${ids.dave}`)).text()).slice(1);
    const [, ...rows] = parseCsv(text);
    expect(rows.map((row) => row[5])).toEqual(['ops']);
    const none = parseCsv((await (await csv('?action=model')).text()).slice(1));
    expect(none).toHaveLength(1);
  });

  it('refuses the export without credentials (401) and to a non-administrator (403)', async () => {
    expect((await csv('', {})).status).toBe(401);
    const user = await api('POST', '/api/admin/users', { username: 'erin', password: PASSWORD });
    const key = await api('POST', `/api/admin/users/${user.body.user.id}/keys`, { name: 'k' });
    const asErin = { authorization: `Bearer ${key.body.key}` };
    const refused = await csv('', asErin);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('auth.login');
    expect((await fetch(`${server.url}/api/admin/audit`, { headers: asErin })).status).toBe(403);
    // A deleted administrator's session is no way in either.
    expect((await csv('', daveHeaders)).status).toBe(401);
  });
});
