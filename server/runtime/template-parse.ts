/**
 * Parser for Go text/template: builds the node tree from lexed items with Go's rules —
 * variables must be declared before use and go out of scope at the {{ end }} of the
 * block that declared them, {{ break }} / {{ continue }} only inside {{ range }},
 * `else if` / `else with` share one {{ end }}, and only known functions may be called.
 */
import { MAX_TEMPLATE_DEPTH } from './template-budget';
import { snippet, TemplateError } from './template-error';
import { FUNCTIONS } from './template-functions';
import type { Item, Token } from './template-lex';

export type Arg =
  | { k: 'lit'; value: unknown }
  | { k: 'dot' }
  | { k: 'field'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'fn'; name: string }
  | { k: 'chain'; base: Arg; path: string[] }
  | { k: 'pipe'; pipe: Pipe };

export interface Pipe {
  /** Variables the pipeline declares (`:=`) or assigns (`=`). */
  decl: string[];
  assign: boolean;
  /** Commands joined by `|`; each command is its operands, a function first if any. */
  cmds: Arg[][];
}

export type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; else: Node[] | null }
  | { k: 'break' }
  | { k: 'continue' };

export interface Parsed {
  nodes: Node[];
  /** Every field and variable name mentioned, lower-cased (Ollama's Template.Vars). */
  identifiers: Set<string>;
}

type Control = 'if' | 'with' | 'range';

export function parse(items: Item[]): Parsed {
  return new Parser(items).template();
}

class Parser {
  private at = 0;
  private depth = 0;
  private rangeDepth = 0;
  private readonly declared: string[] = ['$'];
  private readonly counts = new Map<string, number>([['$', 1]]);
  private readonly identifiers = new Set<string>();
  private tokens: Token[] = [];
  private tokenAt = 0;
  private source = '';

  constructor(private readonly items: Item[]) {}

  template(): Parsed {
    const { nodes, end } = this.list();
    if (end) this.fail(`unexpected {{${end}}}`);
    return { nodes, identifiers: this.identifiers };
  }

  private fail(message: string): never {
    throw new TemplateError(
      this.source ? `${message} in {{ ${snippet(this.source).slice(1, -1)} }}` : message,
      'parse'
    );
  }

  /** Nodes up to {{ end }} or {{ else }} (returned as `end`), or to the end of input. */
  private list(): { nodes: Node[]; end: '' | 'end' | 'else' } {
    const nodes: Node[] = [];
    while (this.at < this.items.length) {
      const item = this.items[this.at++];
      if (item.kind === 'text') {
        nodes.push({ k: 'text', text: item.text });
        continue;
      }
      this.tokens = item.tokens;
      this.tokenAt = 0;
      this.source = item.source;
      const first = this.tokens[0];
      const word = first.kind === 'ident' ? first.text : '';
      if (word === 'end') {
        this.tokenAt++;
        this.expectEndOfAction();
        return { nodes, end: 'end' };
      }
      if (word === 'else') {
        this.tokenAt++;
        return { nodes, end: 'else' };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        this.tokenAt++;
        nodes.push(this.control(word));
      } else if (word === 'break' || word === 'continue') {
        this.tokenAt++;
        this.expectEndOfAction();
        if (this.rangeDepth === 0) this.fail(`{{${word}}} outside {{range}}`);
        nodes.push({ k: word });
      } else if (['define', 'template', 'block'].includes(word)) {
        this.fail(`{{ ${word} }} is not supported`);
      } else {
        nodes.push({ k: 'action', pipe: this.pipeline('command', false) });
      }
    }
    return { nodes, end: '' };
  }

  private expectEndOfAction(): void {
    const extra = this.tokens[this.tokenAt];
    if (extra) this.fail(`unexpected ${snippet(extra.text)}`);
  }

  private control(context: Control): Node {
    if (++this.depth > MAX_TEMPLATE_DEPTH)
      throw new TemplateError(`blocks nested deeper than ${MAX_TEMPLATE_DEPTH}`, 'limit');
    const mark = this.declared.length;
    const pipe = this.pipeline(context, false);
    if (context === 'range') this.rangeDepth++;
    const body = this.list();
    if (context === 'range') this.rangeDepth--;
    if (!body.end) this.fail(`missing {{ end }} for {{ ${context} }}`);
    let otherwise: Node[] | null = null;
    if (body.end === 'else') {
      const next = this.tokens[this.tokenAt];
      if (next && next.kind === 'ident' && (next.text === 'if' || next.text === 'with')) {
        if (next.text !== context) this.fail(`unexpected {{ else ${next.text} }}`);
        // `else if` nests an if that consumes the one shared {{ end }}.
        this.tokenAt++;
        otherwise = [this.control(context)];
      } else {
        this.expectEndOfAction();
        const rest = this.list();
        if (rest.end !== 'end') this.fail(`expected {{ end }} for {{ ${context} }}`);
        otherwise = rest.nodes;
      }
    }
    this.popVars(mark);
    this.depth--;
    return { k: context, pipe, list: body.nodes, else: otherwise };
  }

  private popVars(mark: number): void {
    while (this.declared.length > mark) {
      const name = this.declared.pop()!;
      this.counts.set(name, this.counts.get(name)! - 1);
    }
  }

  private declare(name: string): void {
    this.declared.push(name);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  private useVar(name: string): void {
    if (!this.counts.get(name)) this.fail(`undefined variable "${name}"`);
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.tokenAt + offset];
  }

  private take(): Token {
    const token = this.tokens[this.tokenAt++];
    if (!token) this.fail('unexpected end of action');
    return token;
  }

  /** pipeline := [decl] command ('|' command)*, ending at the action's end or at ')'. */
  private pipeline(context: string, inParens: boolean): Pipe {
    const decl: string[] = [];
    let assign = false;
    const first = this.peek();
    if (first?.kind === 'variable' && !inParens) {
      const after = this.peek(1);
      const two = after?.kind === 'comma' && context === 'range';
      const op = two ? this.peek(3) : after;
      if (op && (op.kind === 'declare' || op.kind === 'assign')) {
        if (two && this.peek(2)?.kind !== 'variable') this.fail('expected a variable after ","');
        decl.push(first.text);
        if (two) decl.push(this.peek(2)!.text);
        assign = op.kind === 'assign';
        this.tokenAt += two ? 4 : 2;
      }
    }
    const cmds: Arg[][] = [];
    for (;;) {
      const cmd = this.command();
      if (cmds.length > 0 && cmd[0].k !== 'fn')
        this.fail(`non executable command in pipeline stage ${cmds.length + 1}`);
      cmds.push(cmd);
      const next = this.peek();
      if (next?.kind === 'pipe') {
        this.tokenAt++;
        continue;
      }
      if (inParens ? next?.kind !== 'rparen' : next !== undefined)
        this.fail(next ? `unexpected ${snippet(next.text)}` : 'unclosed left paren');
      break;
    }
    // Declared after the pipeline is parsed: `$x := $x` reads the outer $x.
    for (const name of decl) {
      if (assign) this.useVar(name);
      else this.declare(name);
    }
    return { decl, assign, cmds };
  }

  private command(): Arg[] {
    const args: Arg[] = [];
    for (;;) {
      const next = this.peek();
      if (!next || next.kind === 'pipe' || next.kind === 'rparen') break;
      args.push(this.operand());
    }
    if (args.length === 0) this.fail('missing value for command');
    if (args.length > 1 && args[0].k !== 'fn')
      this.fail(`can't give argument to non-function ${snippet(this.tokens[0].text)}`);
    if (args[0].k === 'lit' && args[0].value === null && args.length === 1)
      this.fail('nil is not a command');
    return args;
  }

  /** operand := term ('.' Field)* — the fields only when written right after the term. */
  private operand(): Arg {
    let arg = this.term();
    while (this.peek()?.kind === 'field' && this.peek()!.adjacent) {
      const name = this.take().text;
      if (arg.k === 'field' || arg.k === 'var') {
        arg.path.push(name);
        this.identifiers.add(name.toLowerCase());
      } else if (arg.k === 'chain') arg.path.push(name);
      else if (arg.k === 'pipe' || arg.k === 'dot') arg = { k: 'chain', base: arg, path: [name] };
      else this.fail(`unexpected .${name} after term`);
    }
    return arg;
  }

  private term(): Arg {
    const token = this.take();
    switch (token.kind) {
      case 'string':
      case 'number':
      case 'bool':
        return { k: 'lit', value: token.value };
      case 'nil':
        return { k: 'lit', value: null };
      case 'dot':
        return { k: 'dot' };
      case 'field':
        this.identifiers.add(token.text.toLowerCase());
        return { k: 'field', path: [token.text] };
      case 'variable':
        this.useVar(token.text);
        this.identifiers.add(token.text.toLowerCase());
        return { k: 'var', name: token.text, path: [] };
      case 'ident':
        if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, token.text))
          this.fail(`function ${snippet(token.text)} not supported`);
        return { k: 'fn', name: token.text };
      case 'lparen': {
        if (++this.depth > MAX_TEMPLATE_DEPTH)
          throw new TemplateError(`expressions nested deeper than ${MAX_TEMPLATE_DEPTH}`, 'limit');
        const pipe = this.pipeline('parenthesized pipeline', true);
        this.take();
        this.depth--;
        return { k: 'pipe', pipe };
      }
      default:
        this.fail(`unexpected ${snippet(token.text)} in operand`);
    }
  }
}
