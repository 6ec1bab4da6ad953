/**
 * Model names as Ollama spells them: [host/][namespace/]model[:tag]. Defaults fill in
 * "registry.ollama.ai", "library" and "latest", so "llama3" and
 * "registry.ollama.ai/library/llama3:latest" name the same model.
 */
export interface ModelName {
  host: string;
  namespace: string;
  model: string;
  tag: string;
}

export const DEFAULT_HOST = 'registry.ollama.ai';
export const DEFAULT_NAMESPACE = 'library';
export const DEFAULT_TAG = 'latest';

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;
const HOST = /^[A-Za-z0-9_.:-]{1,253}$/;

export function parseModelName(input: string): ModelName {
  const text = input.trim().replace(/^https?:\/\//, '');
  if (!text) throw new Error('model name is required');
  let rest = text;
  let tag = DEFAULT_TAG;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  if (parts.length > 3) throw new Error(`invalid model name "${input}"`);
  const model = parts.pop()!;
  const namespace = parts.pop() ?? DEFAULT_NAMESPACE;
  const host = parts.pop() ?? DEFAULT_HOST;
  if (!PART.test(model) || !PART.test(namespace) || !PART.test(tag) || !HOST.test(host)) {
    throw new Error(`invalid model name "${input}"`);
  }
  return { host, namespace, model, tag };
}

/** The short form Ollama lists: "model:tag", "ns/model:tag" or "host/ns/model:tag". */
export function displayName(name: ModelName): string {
  if (name.host !== DEFAULT_HOST) return `${name.host}/${name.namespace}/${name.model}:${name.tag}`;
  if (name.namespace !== DEFAULT_NAMESPACE) return `${name.namespace}/${name.model}:${name.tag}`;
  return `${name.model}:${name.tag}`;
}

export function normalizeModelName(input: string): string {
  return displayName(parseModelName(input));
}
