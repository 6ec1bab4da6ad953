/**
 * Model names as Ollama spells them: [scheme://][host/][namespace/]model[:tag]. Defaults
 * fill in "registry.ollama.ai", "library" and "latest", so "llama3" and
 * "registry.ollama.ai/library/llama3:latest" name the same model.
 *
 * A ModelName only comes out of this module's parsers, which check every part against
 * Ollama's grammar, so code holding one may turn its parts into path segments or URL
 * segments: none of them can be empty, ".", "..", or hold a separator.
 *
 *   host       starts with [A-Za-z0-9_], then [A-Za-z0-9_.:-]  1–350 chars (may carry a port)
 *   namespace  starts with [A-Za-z0-9_], then [A-Za-z0-9_-]    1–80 chars (no dots)
 *   model      starts with [A-Za-z0-9_], then [A-Za-z0-9_.-]   1–80 chars
 *   tag        starts with [A-Za-z0-9_], then [A-Za-z0-9_.-]   1–80 chars
 *
 * Case: as in Ollama, names keep the spelling they were given and two names that differ
 * only in case are the same model (sameModelName / modelNameKey). The one exception is
 * the default host and namespace, which parse to their canonical spelling so that
 * "Library/Stories" is listed under the short name like "stories" is.
 */

declare const checked: unique symbol;

export type ModelNamePart = 'host' | 'namespace' | 'model' | 'tag';

/** A checked model name; build one with parseModelName or modelNameFromParts. */
export type ModelName = {
  readonly host: string;
  readonly namespace: string;
  readonly model: string;
  readonly tag: string;
  readonly [checked]: true;
};

/** A name as a pull reads it: the name plus the scheme given before the host, if any. */
export interface ModelReference {
  name: ModelName;
  scheme?: 'http' | 'https';
}

export const DEFAULT_HOST = 'registry.ollama.ai';
export const DEFAULT_NAMESPACE = 'library';
export const DEFAULT_TAG = 'latest';

export const MAX_PART_LENGTH: Readonly<Record<ModelNamePart, number>> = {
  host: 350,
  namespace: 80,
  model: 80,
  tag: 80
};

const FIRST = /^[A-Za-z0-9_]/;
const REST: Readonly<Record<ModelNamePart, RegExp>> = {
  host: /^[A-Za-z0-9_.:-]*$/,
  namespace: /^[A-Za-z0-9_-]*$/,
  model: /^[A-Za-z0-9_.-]*$/,
  tag: /^[A-Za-z0-9_.-]*$/
};
const ALLOWED: Readonly<Record<ModelNamePart, string>> = {
  host: 'letters, digits, "_", "-", "." and ":"',
  namespace: 'letters, digits, "_" and "-"',
  model: 'letters, digits, "_", "-" and "."',
  tag: 'letters, digits, "_", "-" and "."'
};

export class ModelNameError extends Error {
  constructor(
    readonly input: string,
    /** The part at fault, when one is. */
    readonly part: ModelNamePart | undefined,
    /** What is wrong, without the name: "tag is longer than 80 characters". */
    readonly reason: string
  ) {
    super(`invalid model name ${quoteName(input)}: ${reason}`);
    this.name = 'ModelNameError';
  }
}

/** Input quoted into a message: bounded, and JSON-escaped so it cannot forge log lines. */
export function quoteName(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/** Why `value` is not a valid `part`, or undefined when it is. */
export function partProblem(part: ModelNamePart, value: string): string | undefined {
  if (value.length === 0) return `${part} is empty`;
  if (value.length > MAX_PART_LENGTH[part])
    return `${part} is longer than ${MAX_PART_LENGTH[part]} characters`;
  if (!FIRST.test(value)) return `${part} must start with a letter, digit or "_"`;
  if (!REST[part].test(value.slice(1))) return `${part} may only contain ${ALLOWED[part]}`;
  return undefined;
}

export function isValidPart(part: ModelNamePart, value: string): boolean {
  return partProblem(part, value) === undefined;
}

function foldDefault(value: string, canonical: string): string {
  return value.toLowerCase() === canonical ? canonical : value;
}

function build(
  input: string,
  parts: { host: string; namespace: string; model: string; tag: string }
): ModelName {
  for (const part of ['host', 'namespace', 'model', 'tag'] as const) {
    const problem = partProblem(part, parts[part]);
    if (problem) throw new ModelNameError(input, part, problem);
  }
  return Object.freeze({ ...parts }) as ModelName;
}

/**
 * Checks parts that arrive separately (a registry URL's namespace/model/tag, a folder
 * of the store); missing ones take the defaults and the given spelling is kept.
 */
export function modelNameFromParts(parts: {
  host?: string;
  namespace?: string;
  model: string;
  tag?: string;
}): ModelName {
  const full = {
    host: parts.host ?? DEFAULT_HOST,
    namespace: parts.namespace ?? DEFAULT_NAMESPACE,
    model: parts.model,
    tag: parts.tag ?? DEFAULT_TAG
  };
  return build(`${full.host}/${full.namespace}/${full.model}:${full.tag}`, full);
}

/** Parses a name that may start with http:// or https:// (which a pull honours). */
export function parseModelReference(input: string): ModelReference {
  // Surrounding blanks are a typing accident, never part of a name.
  let rest = input.trim();
  if (!rest) throw new ModelNameError(input, undefined, 'the name is empty');
  let scheme: ModelReference['scheme'];
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (schemeMatch) {
    const given = schemeMatch[1].toLowerCase();
    if (given !== 'http' && given !== 'https')
      throw new ModelNameError(input, undefined, `unsupported scheme "${schemeMatch[1]}"`);
    scheme = given;
    rest = rest.slice(schemeMatch[0].length);
  }
  let tag = DEFAULT_TAG;
  // "/" cannot appear in a tag, so only a colon after the last slash starts one; earlier
  // colons belong to a host's port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  if (parts.length > 3)
    throw new ModelNameError(input, undefined, 'expected at most host/namespace/model:tag');
  if (scheme && parts.length < 3)
    throw new ModelNameError(input, 'host', 'a scheme must be followed by a host');
  const model = parts.pop()!;
  const namespace = parts.pop() ?? DEFAULT_NAMESPACE;
  const host = parts.pop() ?? DEFAULT_HOST;
  const name = build(input, {
    host: foldDefault(host, DEFAULT_HOST),
    namespace: foldDefault(namespace, DEFAULT_NAMESPACE),
    model,
    tag
  });
  return scheme ? { name, scheme } : { name };
}

/** Parses "[host/][namespace/]model[:tag]"; throws ModelNameError saying what is wrong. */
export function parseModelName(input: string): ModelName {
  return parseModelReference(input).name;
}

export function tryParseModelName(input: string): ModelName | undefined {
  try {
    return parseModelName(input);
  } catch {
    return undefined;
  }
}

/** The short form Ollama lists: "model:tag", "ns/model:tag" or "host/ns/model:tag". */
export function displayName(name: ModelName): string {
  if (name.host.toLowerCase() !== DEFAULT_HOST)
    return `${name.host}/${name.namespace}/${name.model}:${name.tag}`;
  if (name.namespace.toLowerCase() !== DEFAULT_NAMESPACE)
    return `${name.namespace}/${name.model}:${name.tag}`;
  return `${name.model}:${name.tag}`;
}

/** Every part spelled out: "host/namespace/model:tag". */
export function fullName(name: ModelName): string {
  return `${name.host}/${name.namespace}/${name.model}:${name.tag}`;
}

/** One string per model whatever its spelling: equal keys name the same model. */
export function modelNameKey(name: ModelName): string {
  return fullName(name).toLowerCase();
}

export function sameModelName(a: ModelName, b: ModelName): boolean {
  return modelNameKey(a) === modelNameKey(b);
}

/**
 * The parts as path segments (host, namespace, model, tag). Checked again here, so a
 * value forged with a type cast still cannot become a path.
 */
export function modelNameSegments(name: ModelName): readonly [string, string, string, string] {
  const { host, namespace, model, tag } = build(fullName(name), name);
  return [host, namespace, model, tag];
}

export function normalizeModelName(input: string): string {
  return displayName(parseModelName(input));
}
