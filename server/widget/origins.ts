/**
 * Matching a browser's Origin header against a widget key's origin rules. The rules
 * themselves (how an administrator types them, their canonical spelling) are part of the
 * wire contract: #protocol/widget/origins.
 */
import type { FastifyRequest } from 'fastify';
import { parseOrigin, parseOriginRule } from '#protocol/widget/origins';
import { isSameOrigin } from '../http/origins';

export { normalizeOriginRule, parseOriginRule } from '#protocol/widget/origins';

/** True when a browser's Origin header names a page the rule admits. */
export function originRuleMatches(rule: string, origin: string): boolean {
  const parsed = parseOriginRule(rule);
  // Browsers send the serialized origin only; anything else ("null", a path) never matches.
  const url = parseOrigin(origin);
  if (typeof parsed === 'string' || !url || url.origin !== origin.toLowerCase()) return false;
  if (url.protocol !== parsed.scheme || url.port !== parsed.port) return false;
  if (!parsed.subdomains) return url.hostname === parsed.host;
  const suffix = `.${parsed.host}`;
  return url.hostname.length > suffix.length && url.hostname.endsWith(suffix);
}

export function originAllowed(rules: readonly string[], origin: string | undefined): boolean {
  return origin !== undefined && rules.some((rule) => originRuleMatches(rule, origin));
}

/**
 * Whether the page a request comes from may use a key: one of the key's origins, or the
 * portal itself (the administrators' live preview; only Hearth's own pages run there).
 */
export function pageAllowed(rules: readonly string[], req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  // Browsers leave Origin off a same-origin GET (the status probe) and say where it came from.
  if (origin === undefined) return req.headers['sec-fetch-site'] === 'same-origin';
  return originAllowed(rules, origin) || isSameOrigin(origin, req.headers.host);
}
