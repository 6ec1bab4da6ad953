/**
 * The self-check from the admin page: POST /api/admin/checks runs the battery against the
 * real stories260K model through the server's own routes (with the administrator's
 * credentials) and keeps the report; GET lists kept reports, newest first. The history
 * file is bounded and survives two checks finishing together.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '#protocol/portal/checks';
import { CheckHistory, KEPT_REPORTS } from '../../server/check/history';
import { createModelFrom, STORIES, STORIES_SHA256 } from './fixtures';
import { startAdminServer, type AdminServer } from './helpers';

let server: AdminServer;

beforeAll(async () => {
  server = await startAdminServer('admin', 'correct horse battery');
  await createModelFrom(server.url, 'stories', STORIES, STORIES_SHA256, server.headers);
});
afterAll(() => server?.close());

describe('/api/admin/checks', () => {
  it('runs the battery on a model and keeps the report, newest first', async () => {
    const run = await server.api('POST', '/api/admin/checks', { model: 'stories' });
    expect(run.status).toBe(200);
    const report = run.body as CheckReport;
    expect(report.model).toBe('stories');
    expect(report.chat).toBe(false);
    expect(Object.fromEntries(report.results.map((r) => [r.id, r.status]))).toEqual({
      answers: 'pass',
      instruction: 'n/a',
      context: 'n/a',
      chinese: 'n/a'
    });
    expect(report.speed.answerTokensPerSecond).toBeGreaterThan(0);
    expect(report.loadedBytes).toBeGreaterThan(0);
    expect(report.checkedBy).toMatch(/^hearth \d/);

    const second = await server.api('POST', '/api/admin/checks', { model: 'stories' });
    const listed = await server.api('GET', '/api/admin/checks');
    expect(listed.status).toBe(200);
    expect(listed.body.checks.map((c: CheckReport) => c.checkedAt)).toEqual([
      second.body.checkedAt,
      report.checkedAt
    ]);
  });

  it('names an unknown model, refuses a bad body, and runs one check at a time', async () => {
    const unknown = await server.api('POST', '/api/admin/checks', { model: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('nope');
    expect((await server.api('POST', '/api/admin/checks', {})).status).toBe(400);

    const both = await Promise.all([
      server.api('POST', '/api/admin/checks', { model: 'stories' }),
      server.api('POST', '/api/admin/checks', { model: 'stories' })
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('is for administrators only', async () => {
    const anonymous = await fetch(`${server.url}/api/admin/checks`, {
      method: 'POST',
      body: JSON.stringify({ model: 'stories' })
    });
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${server.url}/api/admin/checks`)).status).toBe(401);
  });
});

describe('CheckHistory', () => {
  it('keeps a bounded list, newest first, with reports that finish together', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-checks-'));
    try {
      const history = CheckHistory.in(dir);
      expect(await history.list()).toEqual([]);
      const report = (n: number) => ({ model: `m${n}`, checkedAt: String(n) }) as CheckReport;
      await Promise.all(Array.from({ length: KEPT_REPORTS + 5 }, (_, n) => history.add(report(n))));
      const kept = await history.list();
      expect(kept).toHaveLength(KEPT_REPORTS);
      expect(kept[0].model).toBe(`m${KEPT_REPORTS + 4}`);
      // Another server process (or a restart) reads the same file.
      expect((await CheckHistory.in(dir).list())[0]).toEqual(kept[0]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
