/**
 * Model parameters (Ollama's PARAMETER lines and the create API's `parameters` object),
 * typed the way Ollama's Options struct types them, so a Modelfile written for Ollama
 * means the same thing here and a typo fails loudly instead of being ignored at run time.
 */
import type { Options } from './types';

type Kind = 'int' | 'float' | 'bool' | 'strings';

const KINDS: Record<string, Kind> = {
  num_keep: 'int',
  seed: 'int',
  num_predict: 'int',
  top_k: 'int',
  repeat_last_n: 'int',
  mirostat: 'int',
  num_ctx: 'int',
  num_batch: 'int',
  num_gpu: 'int',
  main_gpu: 'int',
  num_thread: 'int',
  top_p: 'float',
  min_p: 'float',
  typical_p: 'float',
  temperature: 'float',
  repeat_penalty: 'float',
  presence_penalty: 'float',
  frequency_penalty: 'float',
  mirostat_tau: 'float',
  mirostat_eta: 'float',
  tfs_z: 'float',
  penalize_newline: 'bool',
  use_mmap: 'bool',
  use_mlock: 'bool',
  numa: 'bool',
  low_vram: 'bool',
  f16_kv: 'bool',
  vocab_only: 'bool',
  stop: 'strings'
};

export class ParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterError';
  }
}

/** Converts one PARAMETER value written as text ("0.7", "true", "<|im_end|>"). */
export function parseParameterText(name: string, text: string): number | boolean | string {
  const kind = KINDS[name];
  if (!kind) throw new ParameterError(`unknown parameter '${name}'`);
  const value = unquote(text.trim());
  switch (kind) {
    case 'int':
    case 'float': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
        throw new ParameterError(
          `parameter '${name}' must be ${kind === 'int' ? 'an integer' : 'a number'}, got "${value}"`
        );
      }
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
    const kind = KINDS[name];
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
      const n = typeof raw === 'string' ? Number(raw) : raw;
      if (
        typeof n !== 'number' ||
        !Number.isFinite(n) ||
        (kind === 'int' && !Number.isInteger(n))
      ) {
        throw new ParameterError(
          `parameter '${name}' must be ${kind === 'int' ? 'an integer' : 'a number'}`
        );
      }
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
