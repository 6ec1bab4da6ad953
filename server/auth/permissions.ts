/**
 * Model grants: a subject (user or group) may use and/or download the models a pattern
 * matches. Patterns match the model's name as /api/tags lists it ("stories:latest",
 * "team/coder:7b"), case-insensitively:
 *   - "stories:latest"  exactly that model;
 *   - "stories"         every tag of "stories" (a name without a tag);
 *   - "qwen*", "*"      globs: `*` matches any run of characters, tags included.
 */
import { normalizeModelName } from '#protocol/ollama/names';
import type { Grant, SubjectType } from '#protocol/portal/types';
import type { HearthDatabase, Row } from './db';

export type { Grant, SubjectType };
// The pattern rules are part of the wire contract (grants and widget keys carry them).
export { normalizePattern } from '#protocol/portal/fields';

/** The listed form of a requested name ("Stories" → "stories:latest"), or undefined if invalid. */
export function canonicalModelName(name: string): string | undefined {
  try {
    return normalizeModelName(name).toLowerCase();
  } catch {
    return undefined;
  }
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}

export function patternMatches(pattern: string, modelName: string): boolean {
  const name = canonicalModelName(modelName);
  if (!name) return false;
  if (pattern.includes('*')) return globMatches(pattern, name);
  if (pattern.includes(':') && pattern.lastIndexOf(':') > pattern.lastIndexOf('/'))
    return pattern === name;
  return name.slice(0, name.lastIndexOf(':')) === pattern;
}

function toGrant(row: Row): Grant {
  return {
    subjectType: row.subject_type === 'group' ? 'group' : 'user',
    subjectId: Number(row.subject_id),
    modelPattern: String(row.model_pattern),
    canUse: Number(row.can_use) === 1,
    canDownload: Number(row.can_download) === 1
  };
}

export class Permissions {
  constructor(private readonly db: HearthDatabase) {}

  list(): Grant[] {
    return this.db
      .all('SELECT * FROM model_permissions ORDER BY subject_type, subject_id, model_pattern')
      .map(toGrant);
  }

  /** Every grant that applies to a user: their own and their groups'. */
  forUser(userId: number): Grant[] {
    return this.db
      .all(
        `SELECT * FROM model_permissions
         WHERE (subject_type = 'user' AND subject_id = ?)
            OR (subject_type = 'group' AND subject_id IN
                 (SELECT group_id FROM group_members WHERE user_id = ?))`,
        [userId, userId]
      )
      .map(toGrant);
  }

  /** Sets a grant; one with neither right is removed (returns null then). */
  set(grant: Grant): Grant | null {
    return this.db.transaction(() => {
      const key = [grant.subjectType, grant.subjectId, grant.modelPattern];
      if (!grant.canUse && !grant.canDownload) {
        this.db.run(
          'DELETE FROM model_permissions WHERE subject_type = ? AND subject_id = ? AND model_pattern = ?',
          key
        );
        return null;
      }
      this.db.run(
        `INSERT INTO model_permissions (subject_type, subject_id, model_pattern, can_use, can_download)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (subject_type, subject_id, model_pattern)
         DO UPDATE SET can_use = excluded.can_use, can_download = excluded.can_download`,
        [...key, grant.canUse ? 1 : 0, grant.canDownload ? 1 : 0]
      );
      return grant;
    });
  }
}
