import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { engineChunks } from './src/lib/sw/engine-chunks-plugin';

// Cross-origin isolation lets wllama use SharedArrayBuffer threads; the Node server sends
// the same headers (server/http/static-app.ts).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp'
};

export default defineConfig({
  plugins: [sveltekit(), engineChunks()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@wllama/wllama', '@mlc-ai/web-llm'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/server/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/server/llama-server-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks'
        }
      },
      {
        // Svelte components in a real page: events, focus and the DOM are the browser's own.
        extends: true,
        // The markdown renderer is imported lazily; bundling its dependencies up front keeps
        // Vite from discovering them mid-run and reloading the page under a running test.
        optimizeDeps: {
          include: [
            'markdown-it',
            'dompurify',
            'highlight.js/lib/core',
            'highlight.js/lib/languages/*'
          ]
        },
        test: {
          name: 'components',
          include: ['src/**/*.svelte.test.ts'],
          setupFiles: ['tests/components-setup.ts'],
          browser: {
            enabled: true,
            headless: true,
            // Debian's Chromium, as in playwright.config.ts: Playwright cannot download its own.
            provider: playwright({
              launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }
            }),
            instances: [{ browser: 'chromium' }],
            // A failing test's screenshot would land beside the test, inside src/.
            screenshotFailures: false
          }
        }
      }
    ]
  }
});
