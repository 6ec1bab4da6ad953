/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline shell: precaches the app shell (built app minus engines, static files) on
 * install, serves it cache-first, and falls back to index.html for navigations so any
 * route opens with the network cut. Engine libraries and wasm (most of the build's bytes)
 * are cached the first time a model loads them, then served cache-first too, so a first
 * visit stays light and an engine once used keeps working offline. Model weights are not
 * here — they live in IndexedDB.
 */
import { build, files, version } from '$service-worker';
import { splitPrecache } from '$lib/sw/engine-files';
import { KEEP_ENGINES } from '$lib/sw/keep-engines';

declare const __HEARTH_ENGINE_CHUNKS__: string[];

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `hearth-${version}`;
const ASSETS = [...build, ...files];
const { shell: PRECACHE, engine: ENGINE } = splitPrecache(ASSETS, __HEARTH_ENGINE_CHUNKS__);
const SHELL = '/';

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(PRECACHE);
      // The server answers "/" with the app only when asked for HTML (API clients get
      // Ollama's plain-text greeting), so fetch the shell the way a browser navigates.
      const shell = await fetch(new Request('/', { headers: { Accept: 'text/html' } }));
      if (!shell.ok) throw new Error(`app shell: HTTP ${shell.status}`);
      await cache.put(SHELL, shell);
      await sw.skipWaiting();
    })()
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const key of await caches.keys()) {
        if (key === CACHE) continue;
        // Engine files are content-hashed: one this build still ships is the same file,
        // so an update does not cost an engine used offline its cached copy.
        const old = await caches.open(key);
        for (const path of ENGINE) {
          const hit = (await cache.match(path)) ? undefined : await old.match(path);
          if (hit) await cache.put(path, hit);
        }
        await caches.delete(key);
      }
      await sw.clients.claim();
    })()
  );
});

sw.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type !== KEEP_ENGINES) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // All at once, scripts listed before the big wasm files, so the small pieces an
      // engine also needs are kept within moments even while megabytes of wasm still load.
      const order = [...ENGINE].sort(
        (a, b) => Number(a.endsWith('.wasm')) - Number(b.endsWith('.wasm'))
      );
      await Promise.all(
        order.map(async (path) => {
          if (await cache.match(path)) return;
          // One missing file must not stop the others; the next ready model asks again.
          await cache.add(path).catch(() => undefined);
        })
      );
    })()
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Only this origin's app files; API calls and model downloads go to the network.
  if (url.origin !== sw.location.origin) return;
  if (
    url.pathname.startsWith('/api/') ||
    url.pathname.startsWith('/v1/') ||
    url.pathname.startsWith('/v2/')
  )
    return;
  if (request.headers.has('range')) return;

  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (ASSETS.includes(url.pathname)) {
        const hit = await cache.match(url.pathname);
        if (hit) return hit;
      }
      try {
        const response = await fetch(request);
        // An engine file is kept on first use (in the background: the page need not wait).
        if (ENGINE.includes(url.pathname) && response.status === 200 && response.type === 'basic')
          event.waitUntil(cache.put(url.pathname, response.clone()).catch(() => undefined));
        return response;
      } catch (error) {
        if (request.mode === 'navigate') {
          const shell = await cache.match(SHELL);
          if (shell) return shell;
        }
        const hit = await cache.match(request);
        if (hit) return hit;
        throw error;
      }
    })()
  );
});
