/**
 * Sessions (web app cookies) and API keys (programs). Both are looked up by the sha256
 * of the secret the client holds; the secret itself is never stored.
 *
 * "Last used" stamps are written at most once a minute per credential: every write
 * rewrites hearth.db (see db.ts), and a chat client may send many requests a minute.
 */
import { NotFoundError } from '../domain-errors';
import { optionalNumber, type HearthDatabase, type Row } from './db';
import { generateApiKey, randomToken, sha256 } from './tokens';

const SESSION_TTL_MS = 30 * 24 * 60 * 60_000;
const TOUCH_EVERY_MS = 60_000;

export interface Session {
  id: string;
  userId: number;
  csrfToken: string;
  expiresAt: number;
}

export class Sessions {
  constructor(private readonly db: HearthDatabase) {}

  /** Returns the cookie token (shown to the browser only) and the stored session. */
  create(userId: number): { token: string; session: Session } {
    const token = randomToken();
    const now = Date.now();
    const session: Session = {
      id: sha256(token),
      userId,
      csrfToken: randomToken(),
      expiresAt: now + SESSION_TTL_MS
    };
    this.db.transaction(() => {
      // Sign-in is a good moment to sweep expired sessions.
      this.db.run('DELETE FROM sessions WHERE expires_at < ?', [now]);
      this.db.run(
        `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [session.id, userId, session.csrfToken, now, session.expiresAt, now]
      );
    });
    return { token, session };
  }

  /** The live session for a cookie token; sliding expiry, refreshed at most once a minute. */
  lookup(token: string): Session | undefined {
    const row = this.db.get('SELECT * FROM sessions WHERE id = ?', [sha256(token)]);
    const now = Date.now();
    if (!row || Number(row.expires_at) < now) return undefined;
    const session: Session = {
      id: String(row.id),
      userId: Number(row.user_id),
      csrfToken: String(row.csrf_token),
      expiresAt: Number(row.expires_at)
    };
    if (now - Number(row.last_seen) > TOUCH_EVERY_MS) {
      session.expiresAt = now + SESSION_TTL_MS;
      this.db.transaction(() =>
        this.db.run('UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id = ?', [
          now,
          session.expiresAt,
          session.id
        ])
      );
    }
    return session;
  }

  delete(id: string): void {
    this.db.transaction(() => this.db.run('DELETE FROM sessions WHERE id = ?', [id]));
  }

  /** Signs a user out everywhere (optionally keeping the session making the change). */
  deleteForUser(userId: number, exceptId?: string): void {
    this.db.transaction(() =>
      this.db.run('DELETE FROM sessions WHERE user_id = ? AND id != ?', [userId, exceptId ?? ''])
    );
  }
}

export interface ApiKey {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  rateLimitPerMin: number | null;
}

function toKey(row: Row): ApiKey {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    name: String(row.name),
    prefix: String(row.prefix),
    createdAt: Number(row.created_at),
    lastUsedAt: optionalNumber(row.last_used_at),
    revokedAt: optionalNumber(row.revoked_at),
    rateLimitPerMin: optionalNumber(row.rate_limit_per_min)
  };
}

const KEY_COLUMNS =
  'id, user_id, name, prefix, created_at, last_used_at, revoked_at, rate_limit_per_min';

export class ApiKeys {
  constructor(private readonly db: HearthDatabase) {}

  /** The plaintext key is in the result once and nowhere else, ever. */
  create(
    userId: number,
    name: string,
    rateLimitPerMin: number | null = null
  ): { key: string; apiKey: ApiKey } {
    const generated = generateApiKey();
    return this.db.transaction(() => {
      const { lastId } = this.db.run(
        `INSERT INTO api_keys (user_id, name, key_hash, prefix, created_at, rate_limit_per_min)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [userId, name, generated.hash, generated.prefix, Date.now(), rateLimitPerMin]
      );
      return { key: generated.key, apiKey: this.byId(lastId)! };
    });
  }

  list(userId?: number): ApiKey[] {
    const rows =
      userId === undefined
        ? this.db.all(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY id`)
        : this.db.all(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE user_id = ? ORDER BY id`, [
            userId
          ]);
    return rows.map(toKey);
  }

  byId(id: number): ApiKey | undefined {
    const row = this.db.get(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`, [id]);
    return row && toKey(row);
  }

  /** A usable (not revoked) key for the presented plaintext. */
  lookup(key: string): ApiKey | undefined {
    const row = this.db.get(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`,
      [sha256(key)]
    );
    return row && toKey(row);
  }

  touch(key: ApiKey): void {
    const now = Date.now();
    if (key.lastUsedAt !== null && now - key.lastUsedAt < TOUCH_EVERY_MS) return;
    this.db.transaction(() =>
      this.db.run('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [now, key.id])
    );
  }

  /** Revokes a key; with ownerId, only that user's key (a 404 otherwise, as if absent). */
  revoke(id: number, ownerId?: number): ApiKey {
    return this.db.transaction(() => {
      const key = this.byId(id);
      if (!key || (ownerId !== undefined && key.userId !== ownerId))
        throw new NotFoundError(`API key ${id} not found`);
      if (key.revokedAt === null)
        this.db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', [Date.now(), id]);
      return this.byId(id)!;
    });
  }

  setRateLimit(id: number, perMinute: number | null): ApiKey {
    return this.db.transaction(() => {
      const { changes } = this.db.run('UPDATE api_keys SET rate_limit_per_min = ? WHERE id = ?', [
        perMinute,
        id
      ]);
      if (changes === 0) throw new NotFoundError(`API key ${id} not found`);
      return this.byId(id)!;
    });
  }
}
