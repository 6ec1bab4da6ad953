/**
 * The functions templates may call: Go's text/template built-ins and the ones Ollama
 * adds (json, currentDate, yesterdayDate, toTypeScriptType). Each charges the render
 * budget for the bytes it builds, copies or compares, so no call is free of cost.
 */
import type { RenderBudget } from './template-budget';
import { TemplateError } from './template-error';
import { goSprint, goSprintf } from './template-format';
import { GoSlice, GoStruct, goJson, mapSize, truthy, typeName } from './template-values';

export { TemplateError };

type Fn = (args: unknown[], budget: RenderBudget) => unknown;

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max)
    throw new TemplateError(
      `wrong number of args for ${name}: want ${min === max ? min : `${min} to ${max}`} got ${args.length}`
    );
}

const isBasic = (v: unknown) => v === null || typeof v !== 'object';

function equal(name: string, a: unknown, b: unknown, budget: RenderBudget): boolean {
  if (!isBasic(a) || !isBasic(b))
    throw new TemplateError(
      `error calling ${name}: non-comparable type ${typeName(isBasic(a) ? b : a)}`
    );
  if (typeof a === 'string' && typeof b === 'string' && a.length === b.length)
    budget.bytes(a.length);
  return (a ?? null) === (b ?? null);
}

function order(name: string, args: unknown[], budget: RenderBudget): number {
  arity(name, args, 2);
  const [a, b] = args;
  const bothNumbers = typeof a === 'number' && typeof b === 'number';
  const bothStrings = typeof a === 'string' && typeof b === 'string';
  if (!bothNumbers && !bothStrings)
    throw new TemplateError(
      `error calling ${name}: incompatible types for comparison (${typeName(a)} and ${typeName(b)})`
    );
  if (bothStrings) budget.bytes(Math.min(a.length, b.length));
  return (a as number) < (b as number) ? -1 : a === b ? 0 : 1;
}

function length(value: unknown, budget: RenderBudget): number {
  // Go counts bytes; UTF-8 length keeps `len` agreeing with Ollama.
  if (typeof value === 'string') {
    budget.bytes(value.length);
    return Buffer.byteLength(value, 'utf8');
  }
  if (Array.isArray(value) || value instanceof GoSlice) return value.length;
  if (value && typeof value === 'object' && !(value instanceof GoStruct)) return mapSize(value);
  throw new TemplateError(`error calling len: len of type ${typeName(value)}`);
}

function index(args: unknown[], budget: RenderBudget): unknown {
  if (args.length === 0) throw new TemplateError('wrong number of args for index: want 1 or more');
  let value = args[0];
  for (const key of args.slice(1)) {
    budget.step();
    if (Array.isArray(value) || value instanceof GoSlice || typeof value === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key))
        throw new TemplateError(
          `error calling index: cannot index slice/array with ${typeName(key)}`
        );
      if (key < 0 || key >= value.length)
        throw new TemplateError(`error calling index: index out of range: ${key}`);
      value =
        typeof value === 'string'
          ? value.charCodeAt(key)
          : value instanceof GoSlice
            ? value.at(key)
            : value[key];
    } else if (value && typeof value === 'object' && !(value instanceof GoStruct)) {
      const record = value as Record<string, unknown>;
      value = Object.prototype.hasOwnProperty.call(record, String(key))
        ? record[String(key)]
        : undefined;
    } else if (value === null || value === undefined) {
      throw new TemplateError('error calling index: index of untyped nil');
    } else
      throw new TemplateError(`error calling index: can't index item of type ${typeName(value)}`);
  }
  return value;
}

function slice(args: unknown[]): unknown {
  arity('slice', args, 1, 4);
  const [value, ...bounds] = args;
  if (!Array.isArray(value) && !(value instanceof GoSlice) && typeof value !== 'string')
    throw new TemplateError(`error calling slice: can't slice item of type ${typeName(value)}`);
  if (typeof value === 'string' && bounds.length > 2)
    throw new TemplateError('error calling slice: cannot 3-index slice a string');
  const [start = 0, end = value.length] = bounds as number[];
  for (const bound of bounds)
    if (typeof bound !== 'number' || !Number.isInteger(bound) || bound < 0 || bound > value.length)
      throw new TemplateError(`error calling slice: index out of range: ${String(bound)}`);
  if (start > end)
    throw new TemplateError(`error calling slice: invalid slice index: ${start} > ${end}`);
  if (value instanceof GoSlice) return value.sub(start, end);
  if (Array.isArray(value)) return new GoSlice(value, start, end - start);
  return value.slice(start, end);
}

/** Go's time format "2006-01-02" of the server's local date, as Ollama writes it. */
export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const TS_TYPES: Record<string, string> = {
  string: 'string',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  array: 'any[]',
  object: 'Record<string, any>',
  null: 'null'
};

/** Ollama's ToolProperty.ToTypeScriptType; anything that is not a tool property is "any". */
function typeScriptType(value: unknown): string {
  if (!(value instanceof GoStruct) || value.type !== 'ToolProperty') return 'any';
  const anyOf = value.fields.AnyOf as GoStruct[] | null;
  if (anyOf && anyOf.length > 0) return anyOf.map(typeScriptType).join(' | ');
  const types = ((value.fields.Type as GoStruct | null)?.options.items as string[]) ?? [];
  if (types.length === 0) return 'any';
  return types.map((t) => TS_TYPES[t] ?? 'any').join(' | ');
}

export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  eq: (args, budget) => {
    if (args.length < 2)
      throw new TemplateError('error calling eq: missing argument for comparison');
    return args.slice(1).some((b) => equal('eq', args[0], b, budget));
  },
  ne: (args, budget) => {
    arity('ne', args, 2);
    return !equal('ne', args[0], args[1], budget);
  },
  lt: (args, budget) => order('lt', args, budget) < 0,
  le: (args, budget) => order('le', args, budget) <= 0,
  gt: (args, budget) => order('gt', args, budget) > 0,
  ge: (args, budget) => order('ge', args, budget) >= 0,
  // and/or short-circuit in the evaluator; these serve only a call with evaluated args.
  and: (args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  not: (args) => {
    arity('not', args, 1);
    return !truthy(args[0]);
  },
  len: (args, budget) => {
    arity('len', args, 1);
    return length(args[0], budget);
  },
  index,
  slice,
  json: (args, budget) => {
    arity('json', args, 1);
    return goJson(args[0], budget);
  },
  print: (args, budget) => goSprint(args, false, budget),
  println: (args, budget) => goSprint(args, true, budget),
  printf: (args, budget) => {
    if (args.length === 0 || typeof args[0] !== 'string')
      throw new TemplateError('error calling printf: the format must be a string');
    return goSprintf(args[0], args.slice(1), budget);
  },
  currentDate: () => localDate(new Date()),
  yesterdayDate: () => {
    const date = new Date();
    date.setDate(date.getDate() - 1);
    return localDate(date);
  },
  toTypeScriptType: (args) => {
    arity('toTypeScriptType', args, 1);
    return typeScriptType(args[0]);
  }
};
