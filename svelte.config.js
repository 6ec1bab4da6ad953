import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Evaluated more than once per build: fix the version once so every output agrees.
process.env.HEARTH_BUILD_ID ??= String(Date.now());

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    // A static single-page app: the Node server (server/) and any plain web server can
    // host it, and the service worker can serve it offline.
    adapter: adapter({ fallback: 'index.html', strict: false }),
    serviceWorker: { register: true },
    version: { name: process.env.HEARTH_BUILD_ID }
  }
};

export default config;
