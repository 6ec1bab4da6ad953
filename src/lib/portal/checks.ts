/** The deployment self-check on the portal: kept reports, and running one (admins). */
import type { CheckHistoryResponse, CheckReport } from '#protocol/portal/checks';
import { portalJson } from './client';

export const CHECKS_PATH = '/api/admin/checks';

export async function listChecks(): Promise<CheckReport[]> {
  return (await portalJson<CheckHistoryResponse>(CHECKS_PATH)).checks;
}

export function runCheck(model: string): Promise<CheckReport> {
  return portalJson<CheckReport>(CHECKS_PATH, { method: 'POST', body: { model } });
}

/** The newest report of each model, newest first. */
export function latestPerModel(reports: readonly CheckReport[]): CheckReport[] {
  const seen = new Set<string>();
  return reports.filter((r) => !seen.has(r.model) && seen.add(r.model));
}

export function countByStatus(report: CheckReport): { pass: number; fail: number; na: number } {
  const count = (status: string) => report.results.filter((r) => r.status === status).length;
  return { pass: count('pass'), fail: count('fail'), na: count('n/a') };
}
