/**
 * Go text/template semantics the evaluator in template.ts shares: truthiness, how values
 * print, and the built-in functions Ollama templates call.
 */

export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}

export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

export function print(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function length(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') return Object.keys(value).length;
  throw new TemplateError(`len of ${typeof value}`);
}

export const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  eq: (a, ...rest) => rest.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  not: (a) => !truthy(a),
  len: (a) => length(a),
  index: (value, ...keys) =>
    keys.reduce((v, k) => (v as Record<string, unknown>)?.[k as string], value),
  slice: (value, start, end) =>
    (value as unknown[] | string).slice(start as number, end as number | undefined),
  json: (value) => JSON.stringify(value ?? null),
  print: (...args) => args.map(print).join(''),
  printf: (format, ...args) => {
    let i = 0;
    return String(format).replace(/%[svdq%]/g, (spec) =>
      spec === '%%' ? '%' : spec === '%q' ? JSON.stringify(print(args[i++])) : print(args[i++])
    );
  },
  currentDate: () => new Date().toISOString().slice(0, 10)
};
