/**
 * Which host pages may use a widget key. An administrator lists origins in one of two
 * forms, stored in one canonical spelling:
 *   - an exact origin:   "https://wiki.corp.example", "http://intranet:8080";
 *   - a subdomain rule:  "https://*.corp.example" (the scheme defaults to https when
 *     only "*.corp.example" is typed).
 *
 * "*." stands for one or more whole labels: "https://*.corp.example" matches
 * https://wiki.corp.example and https://a.b.corp.example, but not the apex
 * https://corp.example (list it as well when wanted: the same choice CSP host sources
 * make), not https://evilcorp.example (the dot is part of the rule) and not
 * https://corp.example.evil.com (the suffix must end the host). Scheme and port must be
 * equal too, so an http page never borrows an https rule. A rule needs at least two
 * labels after "*." ("*.com" would hand a key to a whole top-level domain).
 */

export interface OriginRule {
  scheme: 'http:' | 'https:';
  /** Punycode, lowercase; for a subdomain rule the part after "*.". */
  host: string;
  /** '' for the scheme's default port. */
  port: string;
  subdomains: boolean;
}

const WILDCARD = /^(?:(https?):\/\/)?\*\.([^/*]+)$/i;

/** An http(s) origin as a URL, or undefined (credentials in it are refused). */
export function parseOrigin(text: string): URL | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

/** The rule an administrator typed, or a message saying what is wrong with it. */
export function parseOriginRule(input: string): OriginRule | string {
  const text = input.trim().replace(/\/+$/, '');
  if (!text) return 'an origin is required';
  const wildcard = WILDCARD.exec(text);
  if (wildcard) {
    const scheme = `${(wildcard[1] ?? 'https').toLowerCase()}:` as OriginRule['scheme'];
    // Let URL do IDN and case folding on a stand-in first label.
    const url = parseOrigin(`${scheme}//x.${wildcard[2]}`);
    if (!url || url.pathname !== '/' || url.search || url.hash)
      return `"${input}" is not a valid origin rule`;
    const host = url.hostname.slice(2);
    if (host.split('.').filter(Boolean).length < 2 || host.startsWith('.') || host.endsWith('.'))
      return `"${input}" is too broad: a subdomain rule needs at least two labels after "*."`;
    return { scheme, host, port: url.port, subdomains: true };
  }
  if (text.includes('*')) return `"${input}": "*" is only allowed as "*." at the start of a host`;
  const url = parseOrigin(text);
  if (!url || !/^https?:\/\//i.test(text)) return `"${input}" is not an origin like https://host`;
  if (url.pathname !== '/' || url.search || url.hash)
    return `"${input}" has a path: an origin is only scheme://host[:port]`;
  return {
    scheme: url.protocol as OriginRule['scheme'],
    host: url.hostname,
    port: url.port,
    subdomains: false
  };
}

export function formatOriginRule(rule: OriginRule): string {
  const port = rule.port ? `:${rule.port}` : '';
  return `${rule.scheme}//${rule.subdomains ? '*.' : ''}${rule.host}${port}`;
}

/** The canonical spelling of a typed rule; throws its message when invalid. */
export function normalizeOriginRule(input: string): string {
  const rule = parseOriginRule(input);
  if (typeof rule === 'string') throw new Error(rule);
  return formatOriginRule(rule);
}
