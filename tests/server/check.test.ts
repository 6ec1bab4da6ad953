/**
 * `hearth check` against a real server and the real stories260K model: as it is (a
 * completion-only model, so the chat checks are "not applicable", never a pass), and with
 * a chat template given to it (the checks run, and a 260K-parameter model honestly fails
 * them, which the exit code says).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../server/check/battery';
import { hearth } from './cli-runner';
import { createModelFrom } from './fixtures';
import { startServer, type TestServer } from './helpers';

let server: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startServer();
  env = { HEARTH_HOST: server.url };
  await createModelFrom(server.url, 'stories');
  const res = await fetch(`${server.url}/api/create`, {
    method: 'POST',
    body: JSON.stringify({
      model: 'stories-chat',
      from: 'stories',
      template: '{{ range .Messages }}{{ .Role }}: {{ .Content }}\n{{ end }}assistant:',
      stream: false
    })
  });
  expect(res.status).toBe(200);
});
afterAll(() => server?.close());

describe('hearth check', () => {
  it('reports a completion-only model: it answers, chat checks are not applicable, speed', async () => {
    const run = await hearth(['check', 'stories', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.chat).toBe(false);
    expect(Object.fromEntries(report.results.map((r) => [r.id, r.status]))).toEqual({
      answers: 'pass',
      instruction: 'n/a',
      context: 'n/a',
      chinese: 'n/a'
    });
    expect(report.speed.answerTokensPerSecond).toBeGreaterThan(0);
    expect(report.speed.promptTokensPerSecond).toBeGreaterThan(0);
    expect(report.speed.firstTokenMs).toBeGreaterThan(0);
    const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as {
      models: { name: string; size: number }[];
    };
    const listed = tags.models.find((m) => m.name === 'stories:latest');
    expect(report.loadedBytes).toBe(listed?.size);
    expect(report.checkedBy).toMatch(/^hearth \d/);
  });

  it('runs the chat checks on a model with a template, and fails honestly', async () => {
    const run = await hearth(['check', 'stories-chat'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('stories-chat failed the self-check');
    expect(run.stdout).toMatch(/^pass\s+Answers/m);
    expect(run.stdout).toMatch(/^FAIL\s+Follows an instruction/m);
    expect(run.stdout).toContain('A pass means:');
    expect(run.stdout).toMatch(/answer \d+(\.\d)? tokens\/s/);
  });

  it('names a model the server does not have', async () => {
    const run = await hearth(['check', 'nope'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/model 'nope' not found/);
  });
});
