/**
 * `hearth check MODEL`: the deployment self-check (server/check/battery.ts) against the
 * running server, as a table anyone can read, or as JSON to keep beside a deployment's
 * records (`--json > check.json`), so a later regression is visible.
 */
import { runChecks, type CheckReport } from '../../check/battery';
import type { HearthClient } from '../client';
import { humanBytes, renderTable } from '../format';
import type { Write } from './accounts';

const MARK = { pass: 'pass', fail: 'FAIL', 'n/a': 'n/a' } as const;

function rate(value: number | null, unit: string): string {
  return value === null ? '—' : `${value.toFixed(value >= 100 ? 0 : 1)} ${unit}`;
}

export function renderReport(report: CheckReport): string {
  const rows = report.results.map((r) => [MARK[r.status], r.title, r.detail]);
  const lines = [
    `${report.model}, checked ${report.checkedAt} by ${report.checkedBy}` +
      (report.chat ? '' : ' (completion-only model)'),
    '',
    renderTable(['RESULT', 'CHECK', 'SEEN'], rows).trimEnd(),
    '',
    'A pass means:',
    ...report.results.map((r) => `  ${r.title}: ${r.means}`),
    '',
    `prompt ${rate(report.speed.promptTokensPerSecond, 'tokens/s')}, ` +
      `answer ${rate(report.speed.answerTokensPerSecond, 'tokens/s')}, ` +
      `first token after ${rate(report.speed.firstTokenMs, 'ms')}, ` +
      `loaded size ${report.loadedBytes === null ? '—' : humanBytes(report.loadedBytes)}`,
    ''
  ];
  return lines.join('\n');
}

export async function checkModel(
  client: HearthClient,
  model: string,
  flags: { json?: boolean; version: string },
  write: Write
): Promise<boolean> {
  const report = await client.withApi((api) =>
    runChecks(api, model, { checkedBy: `hearth ${flags.version}` })
  );
  write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  return report.results.every((r) => r.status !== 'fail');
}
