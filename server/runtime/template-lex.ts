/**
 * Lexer for Go text/template: splits the source into text and actions, applies the
 * `{{- ` / ` -}}` trim markers, drops comments, and tokenizes each action. Every scan is
 * a single forward pass with index arithmetic (no regular expressions over unbounded
 * input), so lexing is linear in the template's length whatever it contains.
 */
import { MAX_TEMPLATE_DEPTH, MAX_TEMPLATE_LENGTH } from './template-budget';
import { snippet, TemplateError } from './template-error';

export type TokenKind =
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'field'
  | 'variable'
  | 'ident'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma';

export interface Token {
  kind: TokenKind;
  /** Source text; for fields and variables the name (".Name" → "Name", "$x" → "$x"). */
  text: string;
  /** The literal value of strings, numbers and booleans. */
  value?: unknown;
  /** No space before it: `$x.Field` chains, `$x .Field` passes two operands. */
  adjacent: boolean;
}

export type Item =
  { kind: 'text'; text: string } | { kind: 'action'; tokens: Token[]; source: string };

const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 10;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) =>
  c === 95 || isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;

function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** True at " -}}": a space, the trim marker, then the closing delimiter. */
function atRightTrim(source: string, at: number): boolean {
  return (
    isSpace(source.charCodeAt(at)) &&
    source.charCodeAt(at + 1) === 45 &&
    source.startsWith('}}', at + 2)
  );
}

export function lex(source: string): Item[] {
  if (source.length > MAX_TEMPLATE_LENGTH)
    throw new TemplateError(
      `template is ${source.length} characters long; the limit is ${MAX_TEMPLATE_LENGTH}`,
      'limit'
    );
  const items: Item[] = [];
  let at = 0;
  let trimNext = false;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    let text = source.slice(trimNext ? skipSpace(source, at) : at, open < 0 ? undefined : open);
    if (open < 0) {
      if (text) items.push({ kind: 'text', text });
      break;
    }
    let inner = open + 2;
    if (source.charCodeAt(inner) === 45 && isSpace(source.charCodeAt(inner + 1))) {
      text = trimEnd(text);
      inner += 2;
    }
    if (text) items.push({ kind: 'text', text });
    const action = new ActionLexer(source, inner, open);
    const tokens = action.run();
    if (tokens) items.push({ kind: 'action', tokens, source: source.slice(inner, action.end) });
    at = action.next;
    trimNext = action.trimRight;
  }
  return items;
}

class ActionLexer {
  private at: number;
  private depth = 0;
  private readonly tokens: Token[] = [];
  /** Where the action's text ends, where lexing resumes, and whether to trim after it. */
  end = 0;
  next = 0;
  trimRight = false;

  constructor(
    private readonly source: string,
    start: number,
    private readonly open: number
  ) {
    this.at = start;
  }

  private fail(message: string): never {
    throw new TemplateError(`${message} in action at offset ${this.open}`, 'parse');
  }

  /** Tokens, or null for a comment. */
  run(): Token[] | null {
    const { source } = this;
    if (source.startsWith('/*', this.at)) {
      const close = source.indexOf('*/', this.at + 2);
      if (close < 0) this.fail('unclosed comment');
      this.at = close + 2;
      if (!this.close()) this.fail('comment ends before closing delimiter');
      return null;
    }
    let spaced = true;
    for (;;) {
      if (this.at >= source.length) this.fail('unclosed action');
      if (this.depth === 0 && this.close()) {
        if (this.tokens.length === 0) this.fail('missing value for command');
        return this.tokens;
      }
      const c = source.charCodeAt(this.at);
      if (isSpace(c)) {
        this.at++;
        spaced = true;
        continue;
      }
      this.token(c, !spaced);
      spaced = false;
    }
  }

  /** Consumes "}}" or " -}}" if it is next. */
  private close(): boolean {
    const { source, at } = this;
    if (atRightTrim(source, at)) {
      this.end = at;
      this.next = at + 4;
      this.trimRight = true;
      return true;
    }
    if (source.startsWith('}}', at)) {
      this.end = at;
      this.next = at + 2;
      return true;
    }
    return false;
  }

  private push(kind: TokenKind, text: string, adjacent: boolean, value?: unknown) {
    this.tokens.push({ kind, text, adjacent, value });
  }

  private token(c: number, adjacent: boolean): void {
    const { source } = this;
    const start = this.at;
    const next = source.charCodeAt(start + 1);
    if (c === 34 || c === 96 || c === 39) return this.quoted(c, adjacent);
    if (isDigit(c) || ((c === 45 || c === 43) && (isDigit(next) || next === 46)))
      return this.number(adjacent);
    if (c === 46 && isDigit(next)) return this.number(adjacent);
    if (c === 46 || c === 36) {
      this.at++;
      while (this.at < source.length && isAlnum(source.charCodeAt(this.at))) this.at++;
      const name = source.slice(c === 46 ? start + 1 : start, this.at);
      if (c === 36) return this.push('variable', name, adjacent);
      return this.push(name ? 'field' : 'dot', name, adjacent);
    }
    if (isAlnum(c)) {
      while (this.at < source.length && isAlnum(source.charCodeAt(this.at))) this.at++;
      const word = source.slice(start, this.at);
      if (word === 'true' || word === 'false')
        return this.push('bool', word, adjacent, word === 'true');
      return this.push(word === 'nil' ? 'nil' : 'ident', word, adjacent);
    }
    this.at++;
    if (c === 124) return this.push('pipe', '|', adjacent);
    if (c === 44) return this.push('comma', ',', adjacent);
    if (c === 61) return this.push('assign', '=', adjacent);
    if (c === 58 && next === 61) {
      this.at++;
      return this.push('declare', ':=', adjacent);
    }
    if (c === 40) {
      if (++this.depth > MAX_TEMPLATE_DEPTH) this.fail('parentheses nested too deep');
      return this.push('lparen', '(', adjacent);
    }
    if (c === 41) {
      if (--this.depth < 0) this.fail('unexpected right paren');
      return this.push('rparen', ')', adjacent);
    }
    this.fail(`unrecognized character ${snippet(String.fromCodePoint(c))}`);
  }

  private quoted(quote: number, adjacent: boolean): void {
    const { source } = this;
    const start = this.at;
    let i = start + 1;
    for (; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === quote) break;
      if (quote === 96) continue;
      if (c === 10) i = source.length;
      else if (c === 92) i++;
    }
    if (i >= source.length)
      this.fail(quote === 96 ? 'unterminated raw quoted string' : 'unterminated quoted string');
    this.at = i + 1;
    const body = source.slice(start + 1, i);
    if (quote === 96) return this.push('string', source.slice(start, i + 1), adjacent, body);
    const value = unquote(body, (m) => this.fail(m));
    if (quote === 34) return this.push('string', source.slice(start, i + 1), adjacent, value);
    if ([...value].length !== 1) this.fail('malformed character constant');
    this.push('number', source.slice(start, i + 1), adjacent, value.codePointAt(0));
  }

  private number(adjacent: boolean): void {
    const { source } = this;
    const start = this.at;
    this.at++;
    while (this.at < source.length) {
      const c = source.charCodeAt(this.at);
      const prev = source.charCodeAt(this.at - 1) | 32;
      const sign = (c === 43 || c === 45) && (prev === 101 || prev === 112);
      if (!(isAlnum(c) || c === 46 || sign)) break;
      this.at++;
    }
    const text = source.slice(start, this.at);
    const value = parseNumber(text);
    if (value === undefined) this.fail(`bad number syntax: ${snippet(text)}`);
    this.push('number', text, adjacent, value);
  }
}

function parseNumber(text: string): number | undefined {
  // Fast path for the common case; a leading 0 means octal in Go, left to the slow path.
  const from = text.charCodeAt(0) === 45 ? 1 : 0;
  let plain =
    text.length <= 15 && text.length > from && (text[from] !== '0' || text.length === from + 1);
  for (let i = from; plain && i < text.length; i++) plain = isDigit(text.charCodeAt(i));
  if (plain) return Number(text);
  const clean = text.replace(/_/g, '');
  const negative = clean.startsWith('-');
  const body = clean.replace(/^[+-]/, '');
  let value: number;
  if (/^0[xob]/i.test(body) && !body.includes('.')) value = Number(body.toLowerCase());
  else if (/^0[0-7]+$/.test(body)) value = parseInt(body, 8);
  else if (/^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(body)) value = Number(body);
  else return undefined;
  if (!Number.isFinite(value)) return undefined;
  return negative ? -value : value;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"'
};

/** Go's escape sequences in "…" strings and '…' characters. */
function unquote(body: string, fail: (message: string) => never): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : e >= '0' && e <= '7' ? 3 : 0;
    if (width === 0) fail('invalid escape in quoted string');
    const digits = e >= '0' && e <= '7' ? body.slice(i, i + 3) : body.slice(i + 1, i + 1 + width);
    const code = parseInt(digits, e >= '0' && e <= '7' ? 8 : 16);
    if (digits.length !== width || Number.isNaN(code) || code > 0x10ffff)
      fail('invalid escape in quoted string');
    out += String.fromCodePoint(code);
    i += e >= '0' && e <= '7' ? 2 : width;
  }
  return out;
}
