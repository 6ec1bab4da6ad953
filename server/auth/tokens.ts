/**
 * Secrets Hearth hands out: session tokens, CSRF tokens and API keys. Only their sha256
 * is stored (all are 256-bit random, so a fast hash is enough: there is nothing to guess).
 *
 * An API key reads "hk_<id>_<secret>": the "hk_<id>" prefix is shown in listings so a
 * person can tell keys apart; the secret part is shown once, at creation.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const KEY_SHAPE = /^hk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  /** The whole key, to show the user once. */
  key: string;
  /** "hk_<8 hex>": safe to show in lists and logs. */
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const prefix = `hk_${randomBytes(4).toString('hex')}`;
  const key = `${prefix}_${randomToken(32)}`;
  return { key, prefix, hash: sha256(key) };
}

/** True when the text has the shape of a Hearth key (checked before any lookup). */
export function looksLikeApiKey(text: string): boolean {
  return KEY_SHAPE.test(text);
}
