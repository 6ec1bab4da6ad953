/**
 * A small evaluator for the Go text/template subset that Ollama model templates use:
 * {{ .Field }}, {{ $.Field }}, variables ($x := …), if / else if / else / range / with /
 * end, `{{-` and `-}}` trim markers, comments, pipelines (`x | f`) and the functions
 * those templates call (eq, ne, lt, le, gt, ge, and, or, not, len, index, slice, json,
 * print, printf, currentDate). Anything else fails with a TemplateError naming it, so a
 * model with an exotic template gets a clear message rather than a silently wrong prompt.
 *
 * Data keeps the Ollama wire shape (snake_case keys); `.ToolCalls` finds `tool_calls`
 * the way Go finds an exported struct field, and printing an object writes its JSON
 * (Ollama's Tool / arguments types print as JSON too).
 */

import { FUNCTIONS, print, TemplateError, truthy } from './template-functions';

export { TemplateError };

type Expr =
  | { kind: 'lit'; value: unknown }
  | { kind: 'field'; base: Expr | null; path: string[] } // base null = dot
  | { kind: 'var'; name: string; path: string[] }
  | { kind: 'call'; fn: string; args: Expr[] }
  | { kind: 'paren'; expr: Expr; path: string[] };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'out'; expr: Expr }
  | { kind: 'assign'; name: string; expr: Expr; declare: boolean }
  | { kind: 'if'; branches: Array<{ cond: Expr; body: Node[] }>; otherwise: Node[] }
  | { kind: 'with'; expr: Expr; body: Node[]; otherwise: Node[] }
  | { kind: 'range'; vars: string[]; expr: Expr; body: Node[]; otherwise: Node[] };

interface Action {
  text: string;
}

/** Splits into text and actions, applying trim markers. */
function lex(source: string): Array<string | Action> {
  const parts: Array<string | Action> = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push(source.slice(at));
      break;
    }
    let text = source.slice(at, open);
    let inner = open + 2;
    if (/^-[ \t\r\n]/.test(source.slice(inner, inner + 2))) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner += 1;
    }
    const close = findClose(source, inner);
    if (close < 0) throw new TemplateError(`unclosed action at offset ${open}`);
    let body = source.slice(inner, close);
    let next = close + 2;
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -1);
      const rest = source.slice(next);
      next += rest.length - rest.replace(/^[ \t\r\n]+/, '').length;
    }
    if (text) parts.push(text);
    const trimmed = body.trim();
    if (!(trimmed.startsWith('/*') && trimmed.endsWith('*/'))) parts.push({ text: trimmed });
    at = next;
  }
  return parts;
}

/** Finds the closing `}}`, skipping over string literals that may contain braces. */
function findClose(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === '`') {
      const end = c === '"' ? skipQuoted(source, i) : source.indexOf('`', i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === '}' && source[i + 1] === '}') return i;
  }
  return -1;
}

function skipQuoted(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '"') return i;
  }
  return -1;
}

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(:=|=|\||\(|\)|,)|(-?\d+(?:\.\d+)?)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match)
      throw new TemplateError(`unsupported syntax "${text.slice(start).trim()}" in {{ ${text} }}`);
    tokens.push(match[0].trim());
  }
  return tokens;
}

class ExprParser {
  private at = 0;
  constructor(
    private readonly tokens: string[],
    private readonly source: string
  ) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  peek(): string | undefined {
    return this.tokens[this.at];
  }

  take(): string {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new TemplateError(`unexpected end of {{ ${this.source} }}`);
    return token;
  }

  /** pipeline := command ('|' command)* ; a piped value becomes the last argument. */
  pipeline(): Expr {
    let expr = this.command();
    while (this.peek() === '|') {
      this.take();
      const next = this.command();
      if (next.kind !== 'call')
        throw new TemplateError(`can only pipe into a function in {{ ${this.source} }}`);
      expr = { kind: 'call', fn: next.fn, args: [...next.args, expr] };
    }
    return expr;
  }

  private command(): Expr {
    const first = this.peek();
    if (first && /^[A-Za-z_]/.test(first) && !['true', 'false', 'nil'].includes(first)) {
      this.take();
      if (!(first in FUNCTIONS)) throw new TemplateError(`function "${first}" not supported`);
      const args: Expr[] = [];
      while (!this.done() && ![')', '|', ','].includes(this.peek()!)) args.push(this.operand());
      return { kind: 'call', fn: first, args };
    }
    return this.operand();
  }

  private operand(): Expr {
    const token = this.take();
    if (token === '(') {
      const expr = this.pipeline();
      if (this.take() !== ')') throw new TemplateError(`missing ")" in {{ ${this.source} }}`);
      return { kind: 'paren', expr, path: [] };
    }
    if (token.startsWith('"')) return { kind: 'lit', value: JSON.parse(token) };
    if (token.startsWith('`')) return { kind: 'lit', value: token.slice(1, -1) };
    if (/^-?\d/.test(token)) return { kind: 'lit', value: Number(token) };
    if (token === 'true' || token === 'false') return { kind: 'lit', value: token === 'true' };
    if (token === 'nil') return { kind: 'lit', value: null };
    if (token.startsWith('$')) {
      const [name, ...path] = token.split('.');
      return { kind: 'var', name, path };
    }
    if (token.startsWith('.'))
      return { kind: 'field', base: null, path: token === '.' ? [] : token.slice(1).split('.') };
    throw new TemplateError(`unexpected "${token}" in {{ ${this.source} }}`);
  }
}

function parseExpr(text: string): Expr {
  const parser = new ExprParser(tokenize(text), text);
  const expr = parser.pipeline();
  if (!parser.done()) throw new TemplateError(`unexpected "${parser.peek()}" in {{ ${text} }}`);
  return expr;
}

/** Builds the node tree from lexed parts. */
function parse(parts: Array<string | Action>): Node[] {
  let at = 0;
  // Returns the body and the keyword that ended it ("end", "else", "else if …").
  const block = (inside: boolean): { nodes: Node[]; terminator: string } => {
    const nodes: Node[] = [];
    while (at < parts.length) {
      const part = parts[at++];
      if (typeof part === 'string') {
        nodes.push({ kind: 'text', text: part });
        continue;
      }
      const text = part.text;
      const keyword = text.split(/\s+/)[0];
      if (keyword === 'end' || keyword === 'else') {
        if (!inside) throw new TemplateError(`unexpected {{ ${text} }}`);
        return { nodes, terminator: text };
      }
      if (keyword === 'if') nodes.push(parseIf(text.slice(2)));
      else if (keyword === 'with') {
        const body = block(true);
        const otherwise = body.terminator === 'else' ? expectEnd(block(true)) : [];
        nodes.push({ kind: 'with', expr: parseExpr(text.slice(4)), body: body.nodes, otherwise });
      } else if (keyword === 'range') nodes.push(parseRange(text.slice(5)));
      else if (['template', 'define', 'block', 'break', 'continue'].includes(keyword)) {
        throw new TemplateError(`{{ ${keyword} }} is not supported`);
      } else {
        const assign = text.match(/^(\$[A-Za-z0-9_]*)\s*(:?=)\s*([\s\S]+)$/);
        if (assign)
          nodes.push({
            kind: 'assign',
            name: assign[1],
            declare: assign[2] === ':=',
            expr: parseExpr(assign[3])
          });
        else nodes.push({ kind: 'out', expr: parseExpr(text) });
      }
    }
    if (inside) throw new TemplateError('missing {{ end }}');
    return { nodes, terminator: '' };
  };
  const expectEnd = (result: { nodes: Node[]; terminator: string }): Node[] => {
    if (result.terminator !== 'end')
      throw new TemplateError(`expected {{ end }}, got {{ ${result.terminator} }}`);
    return result.nodes;
  };
  const parseIf = (condition: string): Node => {
    const branches: Array<{ cond: Expr; body: Node[] }> = [];
    let cond = parseExpr(condition);
    for (;;) {
      const body = block(true);
      branches.push({ cond, body: body.nodes });
      if (body.terminator === 'end') return { kind: 'if', branches, otherwise: [] };
      const elseIf = body.terminator.match(/^else\s+if\s+([\s\S]+)$/);
      if (elseIf) {
        cond = parseExpr(elseIf[1]);
        continue;
      }
      if (body.terminator !== 'else')
        throw new TemplateError(`unsupported {{ ${body.terminator} }}`);
      return { kind: 'if', branches, otherwise: expectEnd(block(true)) };
    }
  };
  const parseRange = (header: string): Node => {
    const declared = header.match(
      /^\s*(\$[A-Za-z0-9_]*)\s*(?:,\s*(\$[A-Za-z0-9_]*))?\s*:=\s*([\s\S]+)$/
    );
    const vars = declared ? [declared[1], declared[2]].filter((v): v is string => Boolean(v)) : [];
    const expr = parseExpr(declared ? declared[3] : header);
    const body = block(true);
    const otherwise = body.terminator === 'else' ? expectEnd(block(true)) : expectEndOf(body);
    return { kind: 'range', vars, expr, body: body.nodes, otherwise };
  };
  const expectEndOf = (result: { terminator: string }): Node[] => {
    if (result.terminator !== 'end')
      throw new TemplateError(`unsupported {{ ${result.terminator} }}`);
    return [];
  };
  return block(false).nodes;
}

const pascal = (key: string) => key.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** Go-style field lookup: exact key, else the wire key whose PascalCase form matches. */
function field(value: unknown, name: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object')
    throw new TemplateError(`can't evaluate field ${name} in type ${typeof value}`);
  const record = value as Record<string, unknown>;
  if (name in record) return record[name];
  const key = Object.keys(record).find(
    (k) => pascal(k) === name || k.toLowerCase() === name.toLowerCase()
  );
  return key === undefined ? undefined : record[key];
}

type Scope = Map<string, unknown>;

function lookupVar(scope: Scope, name: string): unknown {
  if (!scope.has(name)) throw new TemplateError(`undefined variable "${name}"`);
  return scope.get(name);
}

function evaluate(expr: Expr, dot: unknown, scope: Scope): unknown {
  switch (expr.kind) {
    case 'lit':
      return expr.value;
    case 'field':
      return expr.path.reduce(field, expr.base ? evaluate(expr.base, dot, scope) : dot);
    case 'var':
      return expr.path.reduce(field, lookupVar(scope, expr.name));
    case 'paren':
      return expr.path.reduce(field, evaluate(expr.expr, dot, scope));
    case 'call': {
      // and/or short-circuit in Go; evaluating lazily also avoids errors in skipped arms.
      if (expr.fn === 'and' || expr.fn === 'or') {
        let last: unknown = undefined;
        for (const arg of expr.args) {
          last = evaluate(arg, dot, scope);
          if (truthy(last) === (expr.fn === 'or')) return last;
        }
        return last;
      }
      return FUNCTIONS[expr.fn](...expr.args.map((a) => evaluate(a, dot, scope)));
    }
  }
}

function execute(nodes: Node[], dot: unknown, parent: Scope, out: string[]): void {
  const scope = new Map(parent);
  const assignOuter = (name: string, value: unknown) => {
    scope.set(name, value);
    parent.set(name, value);
  };
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'out':
        out.push(print(evaluate(node.expr, dot, scope)));
        break;
      case 'assign':
        if (node.declare) scope.set(node.name, evaluate(node.expr, dot, scope));
        else if (scope.has(node.name)) assignOuter(node.name, evaluate(node.expr, dot, scope));
        else throw new TemplateError(`undefined variable "${node.name}"`);
        break;
      case 'if': {
        const branch = node.branches.find((b) => truthy(evaluate(b.cond, dot, scope)));
        execute(branch ? branch.body : node.otherwise, dot, scope, out);
        break;
      }
      case 'with': {
        const value = evaluate(node.expr, dot, scope);
        if (truthy(value)) execute(node.body, value, scope, out);
        else execute(node.otherwise, dot, scope, out);
        break;
      }
      case 'range': {
        const value = evaluate(node.expr, dot, scope);
        const entries: Array<[unknown, unknown]> = Array.isArray(value)
          ? value.map((v, i) => [i, v])
          : value && typeof value === 'object'
            ? Object.keys(value)
                .sort()
                .map((k) => [k, (value as Record<string, unknown>)[k]])
            : typeof value === 'number'
              ? Array.from({ length: value }, (_, i) => [i, i])
              : [];
        if (entries.length === 0) execute(node.otherwise, dot, scope, out);
        for (const [key, item] of entries) {
          const inner = new Map(scope);
          if (node.vars.length === 1) inner.set(node.vars[0], item);
          if (node.vars.length === 2) {
            inner.set(node.vars[0], key);
            inner.set(node.vars[1], item);
          }
          execute(node.body, item, inner, out);
        }
        break;
      }
    }
  }
}

export interface CompiledTemplate {
  readonly source: string;
  /** Top-level field names the template mentions (e.g. "Messages", "Suffix", "Tools"). */
  uses(name: string): boolean;
  render(data: Record<string, unknown>): string;
}

export function compileTemplate(source: string): CompiledTemplate {
  const nodes = parse(lex(source));
  return {
    source,
    uses: (name) => new RegExp(`(^|[^A-Za-z0-9_])\\.${name}\\b`).test(source),
    render(data) {
      const out: string[] = [];
      execute(nodes, data, new Map<string, unknown>([['$', data]]), out);
      return out.join('');
    }
  };
}
