/**
 * Widget keys: what a host page's script tag carries to chat through Hearth. A widget
 * key is not a secret in the way an API key is — it sits in the page's HTML for every
 * visitor to read — so what protects it is its narrowness: chosen origins, chosen models,
 * chat only, a per-visitor rate limit, and revocation that holds on the next request.
 * It is still stored only as its sha256, like every credential Hearth hands out.
 *
 * A key reads "hw_<8 hex>_<secret>"; "hw_<8 hex>" is its prefix, shown in lists and
 * used by the public status probe, so the full key never travels in a URL.
 */
import { randomBytes } from 'node:crypto';
import type { ParsedNewWidgetKey } from '#protocol/widget/requests';
import type { WidgetKeyJson } from '#protocol/widget/types';
import { NotFoundError } from '../domain-errors';
import { optionalNumber, type HearthDatabase, type Row } from '../auth/db';
import { randomToken, sha256 } from '../auth/tokens';

const KEY_SHAPE = /^hw_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;
const PREFIX_SHAPE = /^hw_[0-9a-f]{8}$/;
const TOUCH_EVERY_MS = 60_000;

/** A stored key: the wire's fields, with times in epoch ms and who made it. */
export interface WidgetKey extends Omit<WidgetKeyJson, 'createdAt' | 'lastUsedAt' | 'revokedAt'> {
  createdBy: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A checked POST /api/admin/widgets body, and who asked. */
export type WidgetKeyInput = ParsedNewWidgetKey & { createdBy: number | null };

export function looksLikeWidgetKey(text: string): boolean {
  return KEY_SHAPE.test(text);
}

export function looksLikeWidgetPrefix(text: string): boolean {
  return PREFIX_SHAPE.test(text);
}

function jsonList(value: unknown): string[] {
  try {
    const list: unknown = JSON.parse(String(value));
    return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function toWidgetKey(row: Row): WidgetKey {
  return {
    id: Number(row.id),
    name: String(row.name),
    prefix: String(row.prefix),
    origins: jsonList(row.origins),
    models: jsonList(row.models),
    rateLimitPerMin: Number(row.rate_limit_per_min),
    requireSignIn: Number(row.require_sign_in) === 1,
    browserEngine: Number(row.browser_engine) === 1,
    createdBy: optionalNumber(row.created_by),
    createdAt: Number(row.created_at),
    lastUsedAt: optionalNumber(row.last_used_at),
    revokedAt: optionalNumber(row.revoked_at)
  };
}

const COLUMNS =
  'id, name, prefix, origins, models, rate_limit_per_min, require_sign_in, browser_engine, created_by, created_at, last_used_at, revoked_at';

export class WidgetKeys {
  constructor(private readonly db: HearthDatabase) {}

  /** The plaintext key is in the result once and nowhere else. */
  create(input: WidgetKeyInput): { key: string; widgetKey: WidgetKey } {
    return this.db.transaction(() => {
      // Prefixes are unique so the status probe can name a key without its secret;
      // 32 random bits collide rarely, and a collision just draws again.
      let prefix: string;
      do prefix = `hw_${randomBytes(4).toString('hex')}`;
      while (this.byPrefix(prefix));
      const key = `${prefix}_${randomToken(32)}`;
      const { lastId } = this.db.run(
        `INSERT INTO widget_keys
           (name, key_hash, prefix, origins, models, rate_limit_per_min, require_sign_in,
            browser_engine, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          input.name,
          sha256(key),
          prefix,
          JSON.stringify(input.origins),
          JSON.stringify(input.models),
          input.rateLimitPerMin,
          input.requireSignIn ? 1 : 0,
          input.browserEngine ? 1 : 0,
          input.createdBy,
          Date.now()
        ]
      );
      return { key, widgetKey: this.byId(lastId)! };
    });
  }

  list(): WidgetKey[] {
    return this.db.all(`SELECT ${COLUMNS} FROM widget_keys ORDER BY id`).map(toWidgetKey);
  }

  /** Keys not revoked: their origins decide which host pages may send a preflight. */
  active(): WidgetKey[] {
    return this.db
      .all(`SELECT ${COLUMNS} FROM widget_keys WHERE revoked_at IS NULL`)
      .map(toWidgetKey);
  }

  byId(id: number): WidgetKey | undefined {
    const row = this.db.get(`SELECT ${COLUMNS} FROM widget_keys WHERE id = ?`, [id]);
    return row && toWidgetKey(row);
  }

  byPrefix(prefix: string): WidgetKey | undefined {
    const row = this.db.get(`SELECT ${COLUMNS} FROM widget_keys WHERE prefix = ?`, [prefix]);
    return row && toWidgetKey(row);
  }

  /** The key for a presented plaintext, revoked or not (the caller says which it is). */
  lookup(key: string): WidgetKey | undefined {
    const row = this.db.get(`SELECT ${COLUMNS} FROM widget_keys WHERE key_hash = ?`, [sha256(key)]);
    return row && toWidgetKey(row);
  }

  /** Last-used stamps at most once a minute: every write rewrites hearth.db. */
  touch(key: WidgetKey): void {
    const now = Date.now();
    if (key.lastUsedAt !== null && now - key.lastUsedAt < TOUCH_EVERY_MS) return;
    this.db.transaction(() =>
      this.db.run('UPDATE widget_keys SET last_used_at = ? WHERE id = ?', [now, key.id])
    );
  }

  revoke(id: number): WidgetKey {
    return this.db.transaction(() => {
      const key = this.byId(id);
      if (!key) throw new NotFoundError(`widget key ${id} not found`);
      if (key.revokedAt === null)
        this.db.run('UPDATE widget_keys SET revoked_at = ? WHERE id = ?', [Date.now(), id]);
      return this.byId(id)!;
    });
  }
}
