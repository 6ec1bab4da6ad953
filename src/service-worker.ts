/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline shell: caches the built app, static files and the engine wasm on install,
 * serves them cache-first, and falls back to index.html for navigations so any route
 * opens with the network cut. Model weights are not here — they live in IndexedDB.
 */
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `hearth-${version}`;
const ASSETS = [...build, ...files];
const SHELL = '/';

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
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
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
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
        return await fetch(request);
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
