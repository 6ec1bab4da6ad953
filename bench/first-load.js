#!/usr/bin/env node
/**
 * First-visit weight (figures, no assertions): starts the real Hearth server on the built
 * app (it serves the precompressed .br/.gz files, as in production), opens `/` in a fresh
 * headless Chromium profile and sums the encoded bytes that cross the network — once for
 * what the page itself loads, once for what the service worker's install precaches —
 * until the network has been quiet for a while. The target is the page's share:
 * at most 200 KiB before any engine is picked. Run by `npm run bench:browser`, or alone
 * with `node --import tsx bench/first-load.js` after a build.
 */
import { chromium } from '@playwright/test';
// The browser tests' own server starter (a real `server/main.ts` on temporary folders).
import { startHearth } from '../tests/e2e/fixtures/hearth-server.ts';

// Playwright reports a service worker's own fetches only with this switch on.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS ??= '1';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TARGET_KIB = 200;
const QUIET_MS = 2_000;

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * Encoded bytes per URL, split by who asked: the page (its documents, scripts, styles and
 * their lazy imports) or the service worker (its install-time precache). Playwright
 * reports a worker's own fetches on the context, marked with request.serviceWorker().
 */
export async function measureFirstLoad(base, { quietMs = QUIET_MS } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-first-run'] });
  const totals = { page: new Map(), worker: new Map() };
  let lastActivity = Date.now();
  const pending = [];
  try {
    const context = await browser.newContext();
    context.on('request', () => (lastActivity = Date.now()));
    context.on('requestfinished', (request) => {
      lastActivity = Date.now();
      pending.push(
        request.sizes().then((sizes) => {
          const who = request.serviceWorker() ? 'worker' : 'page';
          // Body as it travelled (compressed) plus its headers: what the user pays for.
          const bytes = sizes.responseBodySize + sizes.responseHeadersSize;
          totals[who].set(request.url(), (totals[who].get(request.url()) ?? 0) + bytes);
        })
      );
    });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.evaluate(() => navigator.serviceWorker?.ready);
    while (Date.now() - lastActivity < quietMs) await new Promise((r) => setTimeout(r, 200));
    await Promise.all(pending);
    await context.close();
  } finally {
    await browser.close();
  }
  const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
  return {
    page: sum(totals.page),
    worker: sum(totals.worker),
    pageFiles: [...totals.page].sort((a, b) => b[1] - a[1]),
    workerFiles: [...totals.worker].sort((a, b) => b[1] - a[1])
  };
}

async function main() {
  const server = await startHearth();
  try {
    const r = await measureFirstLoad(server.url);
    const short = (url) => url.replace(server.url, '');
    console.log(`First visit to / (encoded bytes over the network, headers included):`);
    console.log(
      `  page: ${kib(r.page)} in ${r.pageFiles.length} responses (target ≤ ${TARGET_KIB} KiB)`
    );
    for (const [url, bytes] of r.pageFiles.slice(0, 8))
      console.log(`    ${kib(bytes)}  ${short(url)}`);
    console.log(`  service worker precache: ${kib(r.worker)} in ${r.workerFiles.length} responses`);
    for (const [url, bytes] of r.workerFiles.slice(0, 5))
      console.log(`    ${kib(bytes)}  ${short(url)}`);
    console.log(`  page + precache: ${kib(r.page + r.worker)}\n`);
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
