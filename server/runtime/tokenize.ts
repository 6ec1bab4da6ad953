/**
 * Tokenizing request text without holding the event loop. node-llama-cpp tokenizes
 * synchronously, and llama.cpp's tokenizers are superlinear on long runs with no spaces
 * (byte-fallback emoji or CJK on a small vocabulary: 16k characters take 60–240 ms, 64k
 * take 2–5 s). So text is tokenized in pieces of a few thousand characters with a turn of
 * the event loop between them, and text no context could hold is cut before any of it
 * is tokenized.
 *
 * Pieces must not change the tokens. A cut at p is taken only where it provably does not
 * on the text around it: the 32 characters before p tokenize to the same tokens alone as
 * when the 32 after p follow them. Each later piece is tokenized with those 32 characters
 * in front (so a vocabulary's leading-space rule lands on them, not on the piece) and
 * their tokens are dropped again.
 */
import type { BuiltinSpecialTokenValue, LlamaText, Token, Tokenizer } from 'node-llama-cpp';

export type TokenizerOption = 'trimLeadingSpace';
type TextTokenizer = (text: string, special: boolean, option?: TokenizerOption) => Token[];

/** More text than one token covers in any vocabulary these models use. */
export const MAX_CHARS_PER_TOKEN = 32;
const PIECE_CHARS = 2_048;
const LOOKAROUND = 32;
/** Cut candidates tried per window before the window grows. */
const MAX_TRIES = 48;

/** The longest text worth tokenizing for a context of `contextSize` tokens. */
export function charBudget(contextSize: number): number {
  return Math.max(1, contextSize) * MAX_CHARS_PER_TOKEN;
}

/** The last `max` characters of text, never starting inside a surrogate pair. */
export function keepTail(text: string, max: number): string {
  if (text.length <= max) return text;
  let from = text.length - max;
  if (isLowSurrogate(text.charCodeAt(from))) from += 1;
  return text.slice(from);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Moves p off the middle of a surrogate pair. */
function alignBack(text: string, p: number): number {
  return p > 0 && p < text.length && isLowSurrogate(text.charCodeAt(p)) ? p - 1 : p;
}

function startsWith(tokens: readonly Token[], prefix: readonly Token[]): boolean {
  if (prefix.length > tokens.length) return false;
  for (let i = 0; i < prefix.length; i++) if (tokens[i] !== prefix[i]) return false;
  return true;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface PieceOptions {
  special: boolean;
  /** Applies to the start of the whole text only. */
  option?: TokenizerOption;
  /** Characters per piece; small values exercise the cuts in tests. */
  pieceChars?: number;
}

/** Tokens of `text`, the same as one `tokenize` call gives, computed in pieces. */
export async function tokenizeInPieces(
  tokenize: Tokenizer,
  text: string,
  { special, option, pieceChars = PIECE_CHARS }: PieceOptions
): Promise<Token[]> {
  if (text.length <= pieceChars) return tokenize(text, special, option);
  const lead = (p: number) => text.slice(alignBack(text, Math.max(0, p - LOOKAROUND)), p);
  const cleanCut = (p: number) => {
    const before = tokenize(lead(p), special);
    const around = tokenize(lead(p) + text.slice(p, alignBack(text, p + LOOKAROUND)), special);
    return around.length > before.length && startsWith(around, before);
  };
  const out: Token[] = [];
  let start = 0;
  while (start < text.length) {
    const end = chooseCut(text, start, pieceChars, cleanCut);
    if (start === 0) {
      out.push(...tokenize(text.slice(0, end), special, option));
    } else {
      const before = tokenize(lead(start), special);
      const piece = tokenize(lead(start) + text.slice(start, end), special);
      // The cut was checked on 32 characters after it; a piece that disagrees further
      // on is tokenized again from the start, so the answer is never wrong.
      if (!startsWith(piece, before)) return tokenize(text, special, option);
      out.push(...piece.slice(before.length));
    }
    start = end;
    if (start < text.length) await nextTurn();
  }
  return out;
}

/**
 * Where the piece that starts at `start` ends: a clean cut in the second half of the
 * window, preferring just after a newline, then just before a space, then anywhere; the
 * window grows when it has none (and the rest becomes one piece at worst).
 */
function chooseCut(
  text: string,
  start: number,
  pieceChars: number,
  cleanCut: (p: number) => boolean
): number {
  for (let size = pieceChars; start + size < text.length; size *= 2) {
    const hi = start + size;
    const lo = start + Math.max(1, Math.floor(size / 2));
    for (const p of candidates(text, lo, hi)) if (cleanCut(p)) return p;
  }
  return text.length;
}

function* candidates(text: string, lo: number, hi: number): Generator<number> {
  const seen = new Set<number>();
  const fresh = (i: number) => {
    const p = alignBack(text, i);
    if (p < lo || p > hi || seen.has(p)) return -1;
    seen.add(p);
    return p;
  };
  const after = (i: number) => text.charCodeAt(i - 1) === 10 && text.charCodeAt(i) !== 10;
  const before = (i: number) => text.charCodeAt(i) === 32 && text.charCodeAt(i - 1) !== 32;
  for (const [rule, share] of [
    [after, 1 / 3],
    [before, 2 / 3],
    [() => true, 1]
  ] as const) {
    for (let i = hi; i >= lo && seen.size < MAX_TRIES * share; i--) {
      const p = rule(i) ? fresh(i) : -1;
      if (p >= 0) yield p;
    }
  }
}

/** A tokenizer that answers built-in special tokens itself and text through `text`. */
function withTextTokenizer(tokenizer: Tokenizer, text: TextTokenizer): Tokenizer {
  const tokenize = (value: string, special?: boolean | 'builtin', option?: TokenizerOption) =>
    special === 'builtin'
      ? tokenizer(value as BuiltinSpecialTokenValue, 'builtin')
      : text(value, special ?? false, option);
  return Object.assign(tokenize as Tokenizer, {
    detokenize: tokenizer.detokenize,
    isSpecialToken: (token: Token) => tokenizer.isSpecialToken(token),
    isEogToken: (token: Token) => tokenizer.isEogToken(token)
  });
}

interface Call {
  text: string;
  special: boolean;
  option?: TokenizerOption;
}

/**
 * Tokens of a chat wrapper's LlamaText, in pieces and within `budget` characters kept
 * from the end. LlamaText decides how each of its parts is tokenized (special-token
 * text, leading spaces), so it runs twice: once to learn its calls, once to replay them
 * with the tokens computed in between. A part that only a cut would reach is emptied:
 * the prompt keeps its newest tokens, so the oldest text never reaches the model.
 */
export async function tokenizeLlamaText(
  llamaText: LlamaText,
  tokenize: Tokenizer,
  budget: number
): Promise<Token[]> {
  const calls: Call[] = [];
  llamaText.tokenize(
    withTextTokenizer(tokenize, (text, special, option) => {
      calls.push({ text, special, option });
      // Only whether a part produced tokens steers LlamaText; the values come later.
      return text === '' ? [] : [-1 as Token];
    })
  );
  const results: Token[][] = new Array(calls.length);
  let left = budget;
  for (let i = calls.length - 1; i >= 0; i--) {
    const call = calls[i];
    const text = keepTail(call.text, left);
    left = Math.max(0, left - call.text.length);
    results[i] = await tokenizeInPieces(tokenize, text, call);
  }
  let next = 0;
  return llamaText.tokenize(
    withTextTokenizer(tokenize, (text, special, option) => {
      const index = next++;
      const call = calls[index];
      // The same LlamaText makes the same calls; should it not, tokenize that part directly.
      return call?.text === text && call.special === special
        ? results[index]
        : tokenize(text, special, option);
    })
  );
}
