/**
 * Model parameters (Ollama's PARAMETER lines and the create API's `parameters` object),
 * typed the way Ollama's Options struct types them, so a Modelfile written for Ollama
 * means the same thing here and a typo fails loudly instead of being ignored at run time.
 */
import { optionKind, type OptionKind, type Options } from '#protocol/ollama/options';

export class ParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterError';
  }
}

const NUMBER_WORDING: Partial<Record<OptionKind, string>> = {
  int: 'an integer',
  count: 'an integer of at least 0',
  float: 'a number'
};

/** A number of a numeric kind, or undefined when `n` is not one. */
function numberOf(kind: OptionKind, n: unknown): number | undefined {
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  if (kind !== 'float' && !Number.isInteger(n)) return undefined;
  return kind === 'count' && n < 0 ? undefined : n;
}

/** Converts one PARAMETER value written as text ("0.7", "true", "<|im_end|>"). */
export function parseParameterText(name: string, text: string): number | boolean | string {
  const kind = optionKind(name);
  if (!kind) throw new ParameterError(`unknown parameter '${name}'`);
  const value = unquote(text.trim());
  switch (kind) {
    case 'int':
    case 'count':
    case 'float': {
      const n = value === '' ? undefined : numberOf(kind, Number(value));
      if (n === undefined)
        throw new ParameterError(
          `parameter '${name}' must be ${NUMBER_WORDING[kind]}, got "${value}"`
        );
      return n;
    }
    case 'bool':
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw new ParameterError(`parameter '${name}' must be true or false, got "${value}"`);
    case 'strings':
      if (value === '') throw new ParameterError(`parameter '${name}' needs a value`);
      return value;
  }
}

/** Validates a JSON parameters object; a single `stop` string becomes a list. */
export function normalizeParameters(
  input: Record<string, unknown>
): Options & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(input)) {
    const kind = optionKind(name);
    if (!kind) throw new ParameterError(`unknown parameter '${name}'`);
    if (kind === 'strings') {
      const list = Array.isArray(raw) ? raw : [raw];
      if (!list.every((s) => typeof s === 'string')) {
        throw new ParameterError(`parameter '${name}' must be a string or a list of strings`);
      }
      out[name] = list;
    } else if (kind === 'bool') {
      if (typeof raw !== 'boolean')
        throw new ParameterError(`parameter '${name}' must be true or false`);
      out[name] = raw;
    } else {
      const n = numberOf(kind, typeof raw === 'string' ? Number(raw) : raw);
      if (n === undefined)
        throw new ParameterError(`parameter '${name}' must be ${NUMBER_WORDING[kind]}`);
      out[name] = n;
    }
  }
  return out as Options & Record<string, unknown>;
}

/** Ollama's /api/show `parameters` text: one "name value" line per value, strings quoted. */
export function formatParameters(params: object): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
    for (const item of Array.isArray(value) ? value : [value]) {
      lines.push(`${name.padEnd(30)} ${formatValue(item)}`);
    }
  }
  return lines.join('\n');
}

export function formatValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      return text.slice(1, -1);
    }
  }
  return text;
}
