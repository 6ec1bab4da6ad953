/**
 * Model grants: a subject (user or group) may use and/or download the models a pattern
 * matches. How a pattern matches a model name is shared with the admin's permission
 * matrix, so what it shows is what this server decides: #protocol/portal/grants.
 */
import type { Grant, SubjectType } from '#protocol/portal/types';
import type { HearthDatabase, Row } from './db';

export type { Grant, SubjectType };
// The pattern rules are part of the wire contract (grants and widget keys carry them).
export { normalizePattern } from '#protocol/portal/fields';
export { patternMatches } from '#protocol/portal/grants';

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
