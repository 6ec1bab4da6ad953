import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Evaluated more than once per build: fix the version once so every output agrees.
process.env.HEARTH_BUILD_ID ??= String(Date.now());

/**
 * The page's Content-Security-Policy. Kit hashes its inline bootstrap script into
 * script-src and writes the policy into a <meta> tag of every page; the Node server
 * (server/http/security-headers.ts) sends the same policy as a header, adding what a
 * meta tag cannot carry (frame-ancestors).
 * @type {import('@sveltejs/kit').CspDirectives}
 */
const csp = {
  'default-src': ['self'],
  // wasm-unsafe-eval: compiling WebAssembly (wllama, and web-llm's model libraries).
  'script-src': ['self', 'wasm-unsafe-eval'],
  // wllama starts its engine and pthread workers from blob: URLs it builds in memory.
  'worker-src': ['self', 'blob:'],
  // Model downloads go wherever the user points them (Hugging Face, a LAN mirror, a
  // portal, a remote Ollama), over https: or plain http: on an intranet.
  'connect-src': ['self', 'https:', 'http:'],
  // Svelte and the Markdown renderer set style attributes; stylesheets stay same-origin.
  'style-src': ['self'],
  'style-src-attr': ['unsafe-inline'],
  'img-src': ['self', 'data:', 'blob:'],
  'font-src': ['self'],
  'manifest-src': ['self'],
  'object-src': ['none'],
  'base-uri': ['self'],
  'form-action': ['self']
};

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    // A static single-page app: the Node server (server/) and any plain web server can
    // host it, and the service worker can serve it offline. precompress writes .br and
    // .gz next to each text and wasm file, so no CPU is spent compressing per request.
    adapter: adapter({ fallback: 'index.html', strict: false, precompress: true }),
    serviceWorker: { register: true },
    csp: { mode: 'hash', directives: csp },
    version: { name: process.env.HEARTH_BUILD_ID }
  }
};

export default config;
