/**
 * Go's fmt.Sprint, Sprintln and Sprintf for the template functions print, println and
 * printf. Widths and precisions are charged to the budget before any padding is built,
 * so "%0999999999d" fails cleanly instead of allocating a gigabyte.
 */
import type { RenderBudget } from './template-budget';
import { print, typeName } from './template-values';

export function goSprint(args: unknown[], line: boolean, budget: RenderBudget): string {
  let out = '';
  args.forEach((arg, i) => {
    const text = print(arg, budget);
    // Sprint separates operands only when neither is a string; Sprintln always does.
    const spaced = line || (typeof arg !== 'string' && typeof args[i - 1] !== 'string');
    if (i > 0 && spaced) out += ' ';
    out += text;
    budget.bytes(text.length);
  });
  return line ? `${out}\n` : out;
}

interface Spec {
  flags: string;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
}

function formatNumber(value: number, spec: Spec): string | undefined {
  const p = spec.precision;
  switch (spec.verb) {
    case 'd':
      return Number.isInteger(value) ? String(value) : undefined;
    case 'f':
    case 'F':
      return value.toFixed(Math.min(p ?? 6, 100));
    case 'e':
      return value
        .toExponential(Math.min(p ?? 6, 100))
        .replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`);
    case 'g':
      return p === undefined ? String(value) : value.toPrecision(Math.max(1, Math.min(p, 100)));
    case 'x':
    case 'X': {
      if (!Number.isInteger(value)) return undefined;
      const hex = Math.abs(value).toString(16);
      return (value < 0 ? '-' : '') + (spec.verb === 'X' ? hex.toUpperCase() : hex);
    }
    case 'c':
      return Number.isInteger(value) && value >= 0 && value <= 0x10ffff
        ? String.fromCodePoint(value)
        : undefined;
    case 'v':
    case 's':
      return spec.verb === 'v' ? String(value) : undefined;
  }
  return undefined;
}

function formatOne(value: unknown, spec: Spec, budget: RenderBudget): string {
  const bad = () => `%!${spec.verb}(${typeName(value)}=${print(value, budget)})`;
  let text: string | undefined;
  if (typeof value === 'number') text = formatNumber(value, spec);
  else if (spec.verb === 'q') text = JSON.stringify(print(value, budget));
  else if (spec.verb === 't') text = typeof value === 'boolean' ? String(value) : undefined;
  else if (spec.verb === 'x' || spec.verb === 'X') {
    if (typeof value === 'string') {
      budget.bytes(value.length * 2);
      const hex = Buffer.from(value, 'utf8').toString('hex');
      text = spec.verb === 'X' ? hex.toUpperCase() : hex;
    }
  } else if (spec.verb === 'v' || spec.verb === 's') text = print(value, budget);
  if (text === undefined) return bad();
  if (spec.precision !== undefined && (spec.verb === 's' || spec.verb === 'q'))
    text = text.slice(0, spec.precision);
  return text;
}

function pad(text: string, spec: Spec, budget: RenderBudget): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  budget.bytes(spec.width);
  if (spec.flags.includes('-')) return text.padEnd(spec.width);
  if (spec.flags.includes('0') && /^[+-]?[0-9]/.test(text)) {
    const sign = /^[+-]/.test(text) ? text[0] : '';
    return sign + text.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return text.padStart(spec.width);
}

export function goSprintf(format: string, args: unknown[], budget: RenderBudget): string {
  budget.bytes(format.length);
  let out = '';
  let next = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    let flags = '';
    while (i < format.length && '+-# 0'.includes(format[i])) flags += format[i++];
    const number = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const arg = args[next++];
        return typeof arg === 'number' ? arg : undefined;
      }
      const start = i;
      while (i < format.length && format[i] >= '0' && format[i] <= '9') i++;
      return i > start ? Number(format.slice(start, i)) : undefined;
    };
    const width = number();
    let precision: number | undefined;
    if (format[i] === '.') {
      i++;
      precision = number() ?? 0;
    }
    const verb = format[i++] ?? '';
    if (verb === '%') {
      out += '%';
      continue;
    }
    // Formatting a verb is several times the work of a plain node.
    budget.step(10);
    const spec: Spec = { flags, width, precision, verb };
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    let text = formatOne(args[next++], spec, budget);
    if (flags.includes('+') && typeof args[next - 1] === 'number' && !text.startsWith('-'))
      text = `+${text}`;
    text = pad(text, spec, budget);
    budget.bytes(text.length);
    out += text;
  }
  if (next < args.length)
    out += `%!(EXTRA ${args
      .slice(next)
      .map((a) => `${typeName(a)}=${print(a, budget)}`)
      .join(', ')})`;
  return out;
}
