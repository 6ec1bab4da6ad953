/**
 * Self-check reports kept on the server, newest first, so the status page can show the
 * last result per model and a later regression is visible beside the earlier runs. One
 * small JSON file in the data directory, replaced atomically; the oldest reports go past
 * a fixed count, so it never grows without bound.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CheckReport } from '#protocol/portal/checks';
import { writeFileAtomic } from '../store/layout';

export const KEPT_REPORTS = 200;

export class CheckHistory {
  /** Writes one at a time, in order: two checks finishing together both land. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  static in(dataDir: string): CheckHistory {
    return new CheckHistory(path.join(dataDir, 'checks.json'));
  }

  async list(): Promise<CheckReport[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as CheckReport[]) : [];
  }

  add(report: CheckReport): Promise<void> {
    const write = this.writing.then(async () => {
      const kept = [report, ...(await this.list())].slice(0, KEPT_REPORTS);
      await writeFileAtomic(this.file, JSON.stringify(kept));
    });
    this.writing = write.catch(() => undefined);
    return write;
  }
}
