/**
 * Portal-wide settings an administrator makes in the web UI, kept in the accounts
 * database (one JSON value per key) so they survive restarts and travel with its backup.
 * Values are checked by whoever reads them: a row written by a newer Hearth may not parse.
 */
import type { HearthDatabase } from './db';

export class PortalSettings {
  constructor(private readonly db: HearthDatabase) {}

  /** The stored value, or undefined when the key was never set (or its JSON is damaged). */
  get(key: string): unknown {
    const row = this.db.get('SELECT value FROM settings WHERE key = ?', [key]);
    if (!row) return undefined;
    try {
      return JSON.parse(String(row.value)) as unknown;
    } catch {
      return undefined;
    }
  }

  /** null removes the key, so "back to the default" leaves nothing behind. */
  set(key: string, value: unknown, by: number | null): void {
    this.db.transaction(() => {
      if (value === null) this.db.run('DELETE FROM settings WHERE key = ?', [key]);
      else
        this.db.run(
          `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET value = excluded.value,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          [key, JSON.stringify(value), Date.now(), by]
        );
    });
  }
}
