/**
 * Security headers on the HTTP shell: the page's Content-Security-Policy copied from the
 * build's <meta> tag plus frame-ancestors, anti-framing for old browsers, Referrer-Policy,
 * and nosniff on everything, API answers included.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBaseRoutes } from '../../server/api/base';
import { loadConfig } from '../../server/config';
import { configureHttp } from '../../server/http/configure';
import {
  APP_FRAME_RULE,
  pageSecurityHeaders,
  policyFromHtml
} from '../../server/http/security-headers';

const BOOTSTRAP = 'console.log("start")';

/** An index.html the way SvelteKit writes it with kit.csp: policy in a meta tag. */
function indexHtml(script: string): string {
  const hash = crypto.createHash('sha256').update(script).digest('base64');
  const policy = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}'; object-src 'none'`;
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="content-security-policy" content="${policy}">
</head><body><script>${script}</script></body></html>`;
}

async function shell(appDir: string): Promise<FastifyInstance> {
  const config = loadConfig({ HEARTH_APP_DIR: appDir });
  const app = Fastify({ logger: false });
  await configureHttp(app, config);
  registerBaseRoutes(app, { config });
  await app.ready();
  return app;
}

describe('policyFromHtml', () => {
  it('reads the meta policy and undoes HTML escaping', () => {
    const html = `<meta http-equiv="content-security-policy" content="script-src 'self' &quot;x&quot; &amp;">`;
    expect(policyFromHtml(html)).toBe(`script-src 'self' "x" &`);
    expect(policyFromHtml('<html><head></head></html>')).toBeUndefined();
  });
});

describe('pageSecurityHeaders', () => {
  it("frames only from the app's own origin, for new and old browsers", () => {
    const headers = pageSecurityHeaders("default-src 'self'", APP_FRAME_RULE);
    expect(headers['Content-Security-Policy']).toBe("default-src 'self'; frame-ancestors 'self'");
    expect(headers['X-Frame-Options']).toBe('SAMEORIGIN');
  });

  it('takes another frame rule (the seam for an embeddable widget)', () => {
    const embedders = pageSecurityHeaders("default-src 'self'", {
      ancestors: ['https://intranet.example']
    });
    expect(embedders['Content-Security-Policy']).toMatch(
      /frame-ancestors https:\/\/intranet\.example$/
    );
    // X-Frame-Options cannot name an origin: leaving it out defers to frame-ancestors.
    expect(embedders['X-Frame-Options']).toBeUndefined();
    const nobody = pageSecurityHeaders("default-src 'self'", { ancestors: [] });
    expect(nobody['Content-Security-Policy']).toMatch(/frame-ancestors 'none'$/);
    expect(nobody['X-Frame-Options']).toBe('DENY');
  });
});

describe('security headers of a built app', () => {
  let app: FastifyInstance;
  let appDir: string;

  beforeAll(async () => {
    appDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-app-'));
    await fs.mkdir(path.join(appDir, '_app/immutable/chunks'), { recursive: true });
    await fs.writeFile(path.join(appDir, 'index.html'), indexHtml(BOOTSTRAP));
    await fs.writeFile(
      path.join(appDir, 'service-worker.js'),
      'self.addEventListener("fetch", () => {});'
    );
    await fs.writeFile(path.join(appDir, '_app/immutable/chunks/app.abc123.js'), 'export {};');
    app = await shell(appDir);
  });
  afterAll(async () => {
    await app.close();
    await fs.rm(appDir, { recursive: true, force: true });
  });

  it('sends the page its own meta policy as a header, plus frame-ancestors', async () => {
    const res = await app.inject({ url: '/settings', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    const meta = policyFromHtml(res.body)!;
    expect(meta).toContain("'sha256-");
    expect(res.headers['content-security-policy']).toBe(`${meta}; frame-ancestors 'self'`);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // Cross-origin isolation is still there.
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
  });

  it('gives the service worker and the app files the same policy', async () => {
    const page = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    for (const url of ['/service-worker.js', '/_app/immutable/chunks/app.abc123.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('follows a rebuild: the header matches the new inline script', async () => {
    const index = path.join(appDir, 'index.html');
    const rebuilt = 'console.log("rebuilt")';
    await fs.writeFile(index, indexHtml(rebuilt));
    // mtime resolution can be coarse: make the change visible.
    const later = new Date(Date.now() + 5_000);
    await fs.utimes(index, later, later);
    const res = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    const hash = crypto.createHash('sha256').update(rebuilt).digest('base64');
    expect(res.headers['content-security-policy']).toContain(`'sha256-${hash}'`);
    await fs.writeFile(index, indexHtml(BOOTSTRAP));
  });

  it('marks API answers and errors nosniff', async () => {
    for (const url of ['/api/version', '/api/nope', '/v1/nope']) {
      const res = await app.inject({ url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });
});

describe('security headers without a built app', () => {
  it('the "not built" page gets a script-free policy and no framing', async () => {
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-empty-'));
    const app = await shell(empty);
    try {
      const res = await app.inject({ url: '/', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
      );
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    } finally {
      await app.close();
      await fs.rm(empty, { recursive: true, force: true });
    }
  });
});
