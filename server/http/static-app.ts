/**
 * Serves the built SvelteKit app (adapter-static output in config.appDir). Every app
 * response is cross-origin isolated (COOP/COEP), which wllama needs for its
 * SharedArrayBuffer threads, and carries the page's security headers
 * (security-headers.ts). Hashed files under /_app/immutable/ are cached forever;
 * index.html and the service worker must revalidate or users would be stuck on an old
 * build. The build ships .br and .gz beside each text and wasm file: those are served
 * as they are, so nothing of the app is compressed per request.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addVary, negotiateCoding, type ContentCoding } from './compression';
import { isApiPath } from './errors';
import {
  AppPolicy,
  NOT_BUILT_POLICY,
  pageSecurityHeaders,
  type FrameRule
} from './security-headers';
import { WIDGET_ASSET_HEADERS } from '../widget/assets';
import { isWidgetAssetPath } from '../widget/routes-policy';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp'
} as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const EXTENSIONS: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

const policies = new Map<string, AppPolicy>();

/** One policy reader per app directory, shared by the static routes and the SPA shell. */
function appPolicy(appDir: string): AppPolicy {
  let policy = policies.get(appDir);
  if (!policy) {
    policy = new AppPolicy(appDir);
    policies.set(appDir, policy);
  }
  return policy;
}

export function appIsBuilt(appDir: string): boolean {
  return fs.existsSync(path.join(appDir, 'index.html'));
}

function cacheControlFor(relativePath: string): string {
  const normalized = relativePath.split(path.sep).join('/');
  if (normalized.startsWith('_app/immutable/')) return IMMUTABLE;
  return REVALIDATE;
}

/** index.html, precompressed when the client takes it and the build has the variant. */
async function readIndex(
  indexPath: string,
  coding: ContentCoding | undefined
): Promise<{ body: Buffer; coding?: ContentCoding }> {
  if (coding) {
    const body = await fs.promises.readFile(indexPath + EXTENSIONS[coding]).catch(() => undefined);
    if (body) return { body, coding };
  }
  return { body: await fs.promises.readFile(indexPath) };
}

/**
 * Serves index.html (the SPA shell), or a page saying how to build it. `frame` says who
 * may embed the page: the app's own origin unless a route says otherwise (the widget's
 * engine page).
 */
export async function sendAppIndex(
  reply: FastifyReply,
  appDir: string,
  frame?: FrameRule
): Promise<FastifyReply> {
  reply.headers(ISOLATION_HEADERS).header('Cache-Control', REVALIDATE);
  let index: { body: Buffer; coding?: ContentCoding };
  try {
    index = await readIndex(path.join(appDir, 'index.html'), negotiateCoding(reply.request));
  } catch {
    return reply
      .code(503)
      .headers(pageSecurityHeaders(NOT_BUILT_POLICY))
      .type('text/html; charset=utf-8')
      .send(NOT_BUILT_PAGE);
  }
  addVary(reply, 'Accept-Encoding');
  if (index.coding) reply.header('Content-Encoding', index.coding);
  return reply
    .headers(pageSecurityHeaders(appPolicy(appDir).current(), frame))
    .type('text/html; charset=utf-8')
    .send(index.body);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hearth — web app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Hearth is running, but its web app is not built</h1>
<p>The API works (try <code>/api/version</code> or <code>/api/tags</code>). To serve the chat app here,
build it once and restart:</p>
<pre>npm run build    # or: npm start, which builds when needed</pre>
<p>Set <code>HEARTH_APP_DIR</code> if the build lives somewhere else.</p>
</body></html>
`;

export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.toLowerCase().includes('text/html');
}

/** Registers static file routes for the app when it has been built. */
export async function registerStaticApp(app: FastifyInstance, appDir: string): Promise<void> {
  if (!appIsBuilt(appDir)) return;
  const policy = appPolicy(appDir);
  // The file server's wildcard route stays in the root scope, so the sign-in guard and
  // every other app-wide hook run for it first; its own check runs after them.
  app.addHook('onRoute', (route) => {
    if (route.url !== '/*') return;
    const own = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [...own, onlyAppFiles];
  });
  await app.register(fastifyStatic, {
    root: appDir,
    wildcard: true,
    index: false,
    cacheControl: false,
    // Serves file.br / file.gz when accepted, with Content-Encoding and Vary.
    preCompressed: true,
    setHeaders(reply: FastifyReply, filePath: string) {
      reply.headers(ISOLATION_HEADERS);
      // COEP require-corp applies to the app's own workers and wasm as well.
      reply.header('Cross-Origin-Resource-Policy', 'same-origin');
      reply.header('Cache-Control', cacheControlFor(path.relative(appDir, filePath)));
      // Workers and the service worker take their policy from their own response.
      reply.headers(pageSecurityHeaders(policy.current()));
      // widget.js and its chunks run on other sites' pages (server/widget/cors.ts).
      // filePath is the .br/.gz sibling when a precompressed file is sent.
      const served = path.relative(appDir, filePath).split(path.sep).join('/');
      if (isWidgetAssetPath(`/${served.replace(/\.(br|gz)$/, '')}`))
        reply.headers(WIDGET_ASSET_HEADERS);
    }
  });
}

async function onlyAppFiles(req: FastifyRequest, reply: FastifyReply) {
  if (!isAppFilePath(req.url)) return reply.callNotFound();
}

/** Longest file or folder name the build can hold (most filesystems allow 255 bytes). */
const MAX_NAME_BYTES = 255;

/**
 * The file routes' wildcard sees every unmatched path. API paths belong to the
 * not-found handler (their own error shapes), and a name no file can have would make the
 * file server answer 403 for its failed spelling check, so neither reaches it.
 */
function isAppFilePath(url: string): boolean {
  if (isApiPath(url)) return false;
  const pathname = url.split('?')[0];
  return pathname.split('/').every((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES);
}
