/**
 * Executes a parsed template with Go's semantics: variables live on one stack, so `=`
 * updates the variable where it was declared (a value set inside {{ range }} survives
 * the loop) while `:=` declares one that ends at its block's {{ end }}; {{ break }} and
 * {{ continue }} end or skip a range iteration; and/or short-circuit. Every node and
 * operand charges the render budget, which is what bounds a hostile template.
 */
import type { RenderBudget } from './template-budget';
import { TemplateError } from './template-error';
import { FUNCTIONS } from './template-functions';
import type { Arg, Node, Pipe } from './template-parse';
import { field, GoSlice, GoStruct, print, sortedKeys, truthy, typeName } from './template-values';

const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Flow = typeof NORMAL | typeof BREAK | typeof CONTINUE;

/** Variables by name; each name keeps a stack of bindings so lookups stay O(1). */
class Variables {
  private readonly order: string[] = [];
  private readonly bindings = new Map<string, unknown[]>();

  mark(): number {
    return this.order.length;
  }

  push(name: string, value: unknown): void {
    this.order.push(name);
    const stack = this.bindings.get(name);
    if (stack) stack.push(value);
    else this.bindings.set(name, [value]);
  }

  pop(mark: number): void {
    while (this.order.length > mark) this.bindings.get(this.order.pop()!)!.pop();
  }

  private stack(name: string): unknown[] {
    const stack = this.bindings.get(name);
    if (!stack || stack.length === 0) throw new TemplateError(`undefined variable: ${name}`);
    return stack;
  }

  get(name: string): unknown {
    const stack = this.stack(name);
    return stack[stack.length - 1];
  }

  set(name: string, value: unknown): void {
    const stack = this.stack(name);
    stack[stack.length - 1] = value;
  }

  /** Sets the variable declared `depth` places from the top (1 = the newest). */
  setTop(depth: number, value: unknown): void {
    this.set(this.order[this.order.length - depth], value);
  }
}

/** What {{ range }} visits, as parallel lists of keys (or indexes) and elements. */
function entries(value: unknown, budget: RenderBudget): { keys: unknown[] | null; elems: unknown } {
  if (value === null || value === undefined) return { keys: null, elems: [] };
  if (value instanceof GoSlice) {
    budget.range(value.length);
    return { keys: null, elems: value.toArray(budget) };
  }
  if (Array.isArray(value)) {
    budget.range(value.length);
    return { keys: null, elems: value };
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    budget.range(value);
    return { keys: null, elems: Math.max(0, value) };
  }
  if (typeof value === 'object' && !(value instanceof GoStruct)) {
    const record = value as Record<string, unknown>;
    const keys = sortedKeys(record, budget);
    budget.range(keys.length);
    return { keys, elems: keys.map((key) => record[key]) };
  }
  throw new TemplateError(`range can't iterate over ${typeName(value)}`);
}

export class Executor {
  private readonly vars = new Variables();
  private readonly out: string[] = [];

  constructor(private readonly budget: RenderBudget) {}

  run(nodes: Node[], data: unknown): string {
    this.vars.push('$', data);
    this.walk(nodes, data);
    return this.out.join('');
  }

  private emit(text: string): void {
    if (!text) return;
    this.budget.emit(text.length);
    this.out.push(text);
  }

  private walk(nodes: Node[], dot: unknown): Flow {
    for (const node of nodes) {
      this.budget.step();
      switch (node.k) {
        case 'text':
          this.emit(node.text);
          break;
        case 'action': {
          const value = this.pipe(node.pipe, dot);
          if (node.pipe.decl.length === 0) this.emit(print(value, this.budget));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.mark();
          const value = this.pipe(node.pipe, dot);
          let flow: Flow = NORMAL;
          if (truthy(value)) flow = this.walk(node.list, node.k === 'with' ? value : dot);
          else if (node.else) flow = this.walk(node.else, dot);
          this.vars.pop(mark);
          if (flow !== NORMAL) return flow;
          break;
        }
        case 'range':
          this.range(node, dot);
          break;
        case 'break':
          return BREAK;
        case 'continue':
          return CONTINUE;
      }
    }
    return NORMAL;
  }

  private range(node: { pipe: Pipe; list: Node[]; else: Node[] | null }, dot: unknown): void {
    const outer = this.vars.mark();
    const value = this.pipe(node.pipe, dot);
    const { decl, assign } = node.pipe;
    if (decl.length > 1 && typeof value === 'number')
      throw new TemplateError(`can't use ${value} to iterate over more than one variable`);
    const mark = this.vars.mark();
    const { keys, elems } = entries(value, this.budget);
    // An integer range visits 0…n-1 without building a list.
    const count = typeof elems === 'number' ? elems : (elems as unknown[]).length;
    const ran = count > 0;
    for (let i = 0; i < count; i++) {
      this.budget.step();
      const key = keys ? keys[i] : i;
      const elem = typeof elems === 'number' ? i : (elems as unknown[])[i];
      if (assign) {
        this.vars.set(decl[0], decl.length > 1 ? key : elem);
        if (decl.length > 1) this.vars.set(decl[1], elem);
      } else {
        if (decl.length > 0) this.vars.setTop(1, elem);
        if (decl.length > 1) this.vars.setTop(2, key);
      }
      const flow = this.walk(node.list, elem);
      this.vars.pop(mark);
      if (flow === BREAK) break;
    }
    if (!ran && node.else) this.walk(node.else, dot);
    this.vars.pop(outer);
  }

  private pipe(pipe: Pipe, dot: unknown): unknown {
    let value: unknown = undefined;
    for (let i = 0; i < pipe.cmds.length; i++)
      value = this.command(pipe.cmds[i], dot, i > 0, value);
    for (const name of pipe.decl) {
      if (pipe.assign) this.vars.set(name, value);
      else this.vars.push(name, value);
    }
    return value;
  }

  private command(cmd: Arg[], dot: unknown, piped: boolean, final: unknown): unknown {
    const head = cmd[0];
    if (head.k !== 'fn') return this.arg(head, dot);
    // A call allocates its arguments and checks their types: a few nodes' worth of work.
    this.budget.step(3);
    const rest = cmd.slice(1);
    if (head.name === 'and' || head.name === 'or') {
      if (rest.length === 0 && !piped)
        throw new TemplateError(`wrong number of args for ${head.name}: want at least 1 got 0`);
      let last: unknown = undefined;
      for (const arg of rest) {
        last = this.arg(arg, dot);
        if (truthy(last) === (head.name === 'or')) return last;
      }
      return piped ? final : last;
    }
    const args = rest.map((arg) => this.arg(arg, dot));
    if (piped) args.push(final);
    return FUNCTIONS[head.name](args, this.budget);
  }

  private arg(arg: Arg, dot: unknown): unknown {
    this.budget.step();
    switch (arg.k) {
      case 'lit':
        return arg.value;
      case 'dot':
        return dot;
      case 'field':
        return this.path(dot, arg.path);
      case 'var':
        return this.path(this.vars.get(arg.name), arg.path);
      case 'chain':
        return this.path(this.arg(arg.base, dot), arg.path);
      case 'pipe': {
        // A parenthesized pipeline is a value; it declares nothing outside itself.
        return this.pipe(arg.pipe, dot);
      }
      case 'fn':
        return this.command([arg], dot, false, undefined);
    }
  }

  private path(value: unknown, names: string[]): unknown {
    let current = value;
    for (const name of names) {
      this.budget.step();
      current = field(current, name);
    }
    return current;
  }
}
