/**
 * The deployment self-check's report (server/check/battery.ts), as the CLI prints it, the
 * admin page shows it and the server keeps it (GET/POST /api/admin/checks).
 */

export type CheckStatus = 'pass' | 'fail' | 'n/a';

export interface CheckResult {
  id: string;
  title: string;
  /** What a pass means, in one sentence. */
  means: string;
  status: CheckStatus;
  detail: string;
}

export interface CheckReport {
  model: string;
  checkedAt: string;
  /** Who ran it ("hearth 0.1.0"), so a later regression can be dated. */
  checkedBy: string;
  chat: boolean;
  results: CheckResult[];
  speed: {
    promptTokensPerSecond: number | null;
    answerTokensPerSecond: number | null;
    firstTokenMs: number | null;
  };
  /** Bytes the server reports for the loaded model (/api/ps). */
  loadedBytes: number | null;
}

/** GET /api/admin/checks: kept reports, newest first. */
export interface CheckHistoryResponse {
  checks: CheckReport[];
}
