/**
 * Which models a grant covers, the one implementation the server decides access with
 * (server/auth/access.ts) and the admin's permission matrix explains it with. Patterns
 * match the model's name as /api/tags lists it ("stories:latest", "team/coder:7b"),
 * case-insensitively:
 *   - "stories:latest"  exactly that model;
 *   - "stories"         every tag of "stories" (a name without a tag);
 *   - "qwen*", "*"      globs: `*` matches any run of characters, tags included.
 *
 * Free of zod and of server code, so the app may import it at runtime.
 */
import { normalizeModelName } from '../ollama/names';
import type { Grant } from './types';

/** The two rights a grant carries; neither implies the other. */
export type ModelRight = 'canUse' | 'canDownload';

/** The listed form of a requested name ("Stories" → "stories:latest"), or undefined if invalid. */
function canonicalModelName(name: string): string | undefined {
  try {
    return normalizeModelName(name).toLowerCase();
  } catch {
    return undefined;
  }
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}

/**
 * Tests patterns against one model, its name parsed once: parsing costs far more than
 * matching, and the permission matrix asks about every granted pattern per model.
 */
export function modelMatcher(modelName: string): (pattern: string) => boolean {
  const name = canonicalModelName(modelName);
  if (!name) return () => false;
  const untagged = name.slice(0, name.lastIndexOf(':'));
  return (pattern) => {
    if (pattern.includes('*')) return globMatches(pattern, name);
    if (pattern.includes(':') && pattern.lastIndexOf(':') > pattern.lastIndexOf('/'))
      return pattern === name;
    return untagged === pattern;
  };
}

export function patternMatches(pattern: string, modelName: string): boolean {
  return modelMatcher(modelName)(pattern);
}

/**
 * Whether a grant gives `right` on `model`. `matches` is patternMatches unless a caller
 * asking about many grants has matched their patterns against the model beforehand.
 */
export function grantAllows(
  grant: Pick<Grant, 'modelPattern' | ModelRight>,
  right: ModelRight,
  model: string,
  matches: (pattern: string, model: string) => boolean = patternMatches
): boolean {
  return grant[right] && matches(grant.modelPattern, model);
}
