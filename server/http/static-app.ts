/**
 * Serves the built SvelteKit app (adapter-static output in config.appDir). Every app
 * response is cross-origin isolated (COOP/COEP), which wllama needs for its
 * SharedArrayBuffer threads. Hashed files under /_app/immutable/ are cached forever;
 * index.html and the service worker must revalidate or users would be stuck on an old build.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp'
} as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export function appIsBuilt(appDir: string): boolean {
  return fs.existsSync(path.join(appDir, 'index.html'));
}

function cacheControlFor(relativePath: string): string {
  const normalized = relativePath.split(path.sep).join('/');
  if (normalized.startsWith('_app/immutable/')) return IMMUTABLE;
  return REVALIDATE;
}

/** Serves index.html (the SPA shell), or a page saying how to build it. */
export async function sendAppIndex(reply: FastifyReply, appDir: string): Promise<FastifyReply> {
  reply.headers(ISOLATION_HEADERS).header('Cache-Control', REVALIDATE);
  const indexPath = path.join(appDir, 'index.html');
  let html: string;
  try {
    html = await fs.promises.readFile(indexPath, 'utf8');
  } catch {
    return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
  }
  return reply.type('text/html; charset=utf-8').send(html);
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
  await app.register(fastifyStatic, {
    root: appDir,
    wildcard: true,
    index: false,
    cacheControl: false,
    setHeaders(reply: FastifyReply, filePath: string) {
      reply.headers(ISOLATION_HEADERS);
      // COEP require-corp applies to the app's own workers and wasm as well.
      reply.header('Cross-Origin-Resource-Policy', 'same-origin');
      reply.header('Cache-Control', cacheControlFor(path.relative(appDir, filePath)));
    }
  });
}
