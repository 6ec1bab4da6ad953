/**
 * How template data behaves like Go values. Plain objects are Go maps (sorted keys when
 * ranged or marshalled); GoStruct stands for a Go struct, whose fields keep declaration
 * order and json tags, so `{{ json . }}` writes exactly what Ollama's api types write.
 */
import { STEP_BYTES, type RenderBudget } from './template-budget';
import { TemplateError } from './template-error';

/** A field's json tag: the key it is written under and whether empty values are dropped. */
export type JsonTag = readonly [key: string, omitEmpty: boolean];

export interface StructOptions {
  /** json tags by field name; a field without one is written under its Go name. */
  tags?: Readonly<Record<string, JsonTag>>;
  /** A MarshalJSON method: the value to marshal instead of the fields. */
  marshal?: () => unknown;
  /** A String method: how `{{ . }}` prints it. */
  text?: () => string;
  /** For slice-like types: whether it is empty (false in `if`, dropped by omitempty). */
  empty?: boolean;
  /** For slice-like types: the elements. */
  items?: readonly unknown[];
}

export class GoStruct {
  constructor(
    readonly type: string,
    /** Exported fields in declaration order. */
    readonly fields: Readonly<Record<string, unknown>>,
    readonly options: StructOptions = {}
  ) {}
}

/**
 * A Go slice of a list: `slice $.Messages $i` shares the backing array in Go, so
 * templates call it once per message (llama 3's `len (slice $.Messages $i)`). Copying
 * would make a long chat quadratic; the view keeps len, index, slice and if constant-time
 * and copies only when the elements are ranged over or printed.
 */
export class GoSlice {
  constructor(
    private readonly source: readonly unknown[],
    private readonly start: number,
    readonly length: number
  ) {}

  at(i: number): unknown {
    return this.source[this.start + i];
  }

  sub(from: number, to: number): GoSlice {
    return new GoSlice(this.source, this.start + from, to - from);
  }

  toArray(budget: RenderBudget): unknown[] {
    budget.bytes(this.length);
    return this.source.slice(this.start, this.start + this.length);
  }
}

/** A key of an object/map that is really data, never one inherited from Object.prototype. */
const own = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

/** `ToolCalls` → `tool_calls`, `Role` → `role`: the wire key a Go field name stands for. */
const snakeCache = new Map<string, string>();
function snake(name: string): string {
  let wire = snakeCache.get(name);
  if (wire === undefined) {
    wire = name.replace(/[A-Z]/g, (c, at: number) => (at > 0 ? '_' : '') + c.toLowerCase());
    // Names come from template sources, so the cache is bounded by what was compiled.
    if (snakeCache.size > 10_000) snakeCache.clear();
    snakeCache.set(name, wire);
  }
  return wire;
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (value instanceof GoStruct) return value.type;
  if (Array.isArray(value) || value instanceof GoSlice) return 'slice';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

/**
 * `.Name` on a value. Structs need the exact field name, as in Go. Maps take the key;
 * a wire-shaped map (`tool_calls`) also answers to the Go-style name (`.ToolCalls`).
 */
export function field(value: unknown, name: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof GoStruct) {
    if (own(value.fields, name)) return value.fields[name];
    throw new TemplateError(`can't evaluate field ${name} in type ${value.type}`);
  }
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof GoSlice)
    throw new TemplateError(`can't evaluate field ${name} in type ${typeName(value)}`);
  const record = value as Record<string, unknown>;
  if (own(record, name)) return record[name];
  const wire = snake(name);
  return own(record, wire) ? record[wire] : undefined;
}

/** Go's notion of truth in {{ if }}: empty and zero values are false, structs are true. */
export function truthy(value: unknown): boolean {
  if (value instanceof GoStruct) return value.options.empty !== true;
  if (Array.isArray(value) || value instanceof GoSlice) return value.length > 0;
  if (value && typeof value === 'object') return mapSize(value) > 0;
  return Boolean(value);
}

function emptyForJson(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '')
    return true;
  if (value instanceof GoStruct) return value.options.empty === true;
  if (Array.isArray(value) || value instanceof GoSlice) return value.length === 0;
  return typeof value === 'object' && mapSize(value) === 0;
}

/** Go's json.Marshal escapes these even inside strings, to keep JSON safe in HTML. */
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029'
};

const HTML_UNSAFE_TEST = /[<>&\u2028\u2029]/;

function jsonString(text: string): string {
  const quoted = JSON.stringify(text);
  return HTML_UNSAFE_TEST.test(quoted)
    ? quoted.replace(HTML_UNSAFE, (c) => HTML_ESCAPES[c])
    : quoted;
}

/** Go's json.Marshal, charging the budget as it writes so a huge value stops early. */
export function goJson(value: unknown, budget: RenderBudget): string {
  const parts: string[] = [];
  // Each piece costs a few steps: marshalling is several times the work of a plain node.
  const write = (text: string) => {
    budget.step(text.length > STEP_BYTES ? 4 + Math.ceil(text.length / STEP_BYTES) : 4);
    parts.push(text);
  };
  const walk = (v: unknown): void => {
    if (v === null || v === undefined) return write('null');
    if (typeof v === 'string') return write(jsonString(v));
    if (typeof v === 'number') return write(Number.isFinite(v) ? String(v) : 'null');
    if (typeof v === 'boolean') return write(String(v));
    if (v instanceof GoSlice) return walk(v.toArray(budget));
    if (v instanceof GoStruct) {
      if (v.options.marshal) return walk(v.options.marshal());
      write('{');
      let first = true;
      for (const [name, fieldValue] of Object.entries(v.fields)) {
        const [key, omitEmpty] = v.options.tags?.[name] ?? [name, false];
        if (omitEmpty && emptyForJson(fieldValue)) continue;
        write(`${first ? '' : ','}${jsonString(key)}:`);
        first = false;
        walk(fieldValue);
      }
      return write('}');
    }
    if (Array.isArray(v)) {
      write('[');
      v.forEach((item, i) => {
        if (i > 0) write(',');
        walk(item);
      });
      return write(']');
    }
    if (typeof v === 'object') {
      const record = v as Record<string, unknown>;
      const keys = sortedKeys(record, budget);
      write('{');
      keys.forEach((key, i) => {
        write(`${i > 0 ? ',' : ''}${jsonString(key)}:`);
        walk(record[key]);
      });
      return write('}');
    }
    write('null');
  };
  walk(value);
  return parts.join('');
}

/**
 * Map keys in Go's order (sorted). Data is never modified while rendering, so a map's
 * keys are listed and sorted once; only that first time is charged for the sort.
 */
const sortedCache = new WeakMap<object, string[]>();

export function sortedKeys(record: object, budget: RenderBudget): string[] {
  let keys = sortedCache.get(record);
  if (!keys) {
    keys = Object.keys(record);
    budget.step(keys.length * Math.ceil(Math.log2(keys.length + 1)));
    keys.sort();
    sortedCache.set(record, keys);
  }
  return keys;
}

/** How many keys a map has, counted once per map (an `if` on a huge map stays cheap). */
const sizeCache = new WeakMap<object, number>();

export function mapSize(record: object): number {
  let size = sizeCache.get(record);
  if (size === undefined) {
    size = Object.keys(record).length;
    sizeCache.set(record, size);
  }
  return size;
}

/**
 * How {{ . }} prints a value. Strings, numbers and booleans print as Go prints them; a
 * value with a String method prints through it; other objects print as their JSON, which
 * is what Ollama's Tool and arguments types print and what templates expect. A missing
 * value prints nothing (Go would print "<no value>").
 */
export function print(value: unknown, budget: RenderBudget): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof GoStruct && value.options.text) return value.options.text();
  if (typeof value === 'object') return goJson(value, budget);
  return String(value);
}
