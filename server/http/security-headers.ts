/**
 * Security headers. Every response is nosniff (API JSON included: a browser must never
 * guess that an error message echoing user input is HTML). App responses also carry the
 * page's Content-Security-Policy, a Referrer-Policy and the anti-framing rule.
 *
 * The policy is written once, in svelte.config.js (kit.csp): SvelteKit hashes its inline
 * bootstrap script into script-src and puts the policy in a <meta> tag of index.html. The
 * server copies that exact policy into a header, so header and page can never disagree,
 * and appends what a meta tag cannot carry: frame-ancestors. The header also reaches the
 * service worker and worker scripts, which a document's meta tag does not govern.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * Who may embed a response in a frame. The app itself: only its own origin (another site
 * framed the whole app to overlay it). The widget's engine page lists the origins of the
 * widget key it serves (server/widget/routes.ts), leaving the app's rule untouched.
 */
export interface FrameRule {
  /** frame-ancestors sources: "'self'", "'none'", or origins such as "https://intranet.example". */
  ancestors: readonly string[];
}

export const APP_FRAME_RULE: FrameRule = { ancestors: ["'self'"] };

/**
 * A document's referrer would tell a model host (Hugging Face, a mirror) the address of
 * an intranet portal and which page asked. "same-origin" keeps it inside Hearth. Not
 * "no-referrer": that makes browsers send `Origin: null` on same-origin POSTs, which the
 * origin check (cors.ts) refuses.
 */
const REFERRER_POLICY = 'same-origin';

/** Used when the build carries no policy of its own (an older build, or a hand-made shell). */
const FALLBACK_POLICY = "object-src 'none'; base-uri 'self'";

/** The "web app not built" page: no script at all, one inline style attribute. */
export const NOT_BUILT_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

/** X-Frame-Options for browsers without frame-ancestors; it cannot list origins. */
function legacyFrameOption(rule: FrameRule): string | undefined {
  const [only, ...rest] = rule.ancestors;
  if (rest.length > 0) return undefined;
  if (only === "'self'") return 'SAMEORIGIN';
  if (only === "'none'" || only === undefined) return 'DENY';
  return undefined;
}

/** Headers for an app response (a page, or a file the app loads) under `policy`. */
export function pageSecurityHeaders(
  policy: string,
  frame: FrameRule = APP_FRAME_RULE
): Record<string, string> {
  const ancestors = frame.ancestors.length > 0 ? frame.ancestors.join(' ') : "'none'";
  const headers: Record<string, string> = {
    'Content-Security-Policy': `${policy}; frame-ancestors ${ancestors}`,
    'Referrer-Policy': REFERRER_POLICY,
    'X-Content-Type-Options': 'nosniff'
  };
  const legacy = legacyFrameOption(frame);
  if (legacy) headers['X-Frame-Options'] = legacy;
  return headers;
}

const META_CSP = /<meta\s+http-equiv=["']content-security-policy["']\s+content="([^"]*)"/i;
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>'
};

/** The policy in a page's CSP <meta> tag, undefined when it has none. */
export function policyFromHtml(html: string): string | undefined {
  const match = META_CSP.exec(html);
  if (!match) return undefined;
  return match[1].replace(/&(amp|quot|#39|lt|gt);/g, (entity) => ENTITIES[entity]).trim();
}

/**
 * The built app's policy, re-read when index.html changes so a rebuild under a running
 * server is picked up (static-app.ts re-reads index.html per request for the same reason).
 */
export class AppPolicy {
  private cached: { mtimeMs: number; policy: string } | undefined;

  constructor(private readonly appDir: string) {}

  /** Synchronous: @fastify/static's setHeaders cannot wait. A stat per request is cheap. */
  current(): string {
    const index = path.join(this.appDir, 'index.html');
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(index).mtimeMs;
    } catch {
      return FALLBACK_POLICY;
    }
    if (this.cached?.mtimeMs !== mtimeMs) {
      const html = fs.readFileSync(index, 'utf8');
      this.cached = { mtimeMs, policy: policyFromHtml(html) ?? FALLBACK_POLICY };
    }
    return this.cached.policy;
  }
}

/** nosniff on every response, errors and API answers included. */
export function registerNoSniff(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    return payload;
  });
}
