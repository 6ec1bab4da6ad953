/**
 * Blob digests. A Digest only comes out of parseDigest, which accepts exactly
 * "sha256:<64 lowercase hex>" (or Ollama's on-disk "sha256-<hex>" spelling) and returns
 * the colon form, so the store can name a blob file after one without further checks.
 */
import { InvalidInputError } from '../domain-errors';
import { quoteInput } from '../errors';

declare const checked: unique symbol;

export type Digest = `sha256:${string}` & { readonly [checked]: true };

const DIGEST = /^sha256[:-]([0-9a-f]{64})$/;

/** The Digest `text` spells, or undefined; `colonOnly` refuses the "sha256-" spelling. */
export function tryParseDigest(text: string, colonOnly = false): Digest | undefined {
  const match = DIGEST.exec(text);
  if (!match || (colonOnly && text[6] !== ':')) return undefined;
  return `sha256:${match[1]}` as Digest;
}

/** "sha256:<hex>" or "sha256-<hex>" → Digest; anything else is a 400. */
export function parseDigest(text: string): Digest {
  const digest = tryParseDigest(text);
  if (!digest)
    throw new InvalidInputError(
      `invalid digest ${quoteInput(text)}: expected sha256:<64 hex digits>`
    );
  return digest;
}

export function isDigest(text: string): boolean {
  return tryParseDigest(text) !== undefined;
}

export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}
