#!/usr/bin/env node
/**
 * First-visit weight (figures, no assertions): starts the real Hearth server on the built
 * app (it serves the precompressed .br/.gz files, as in production), opens `/` in a fresh
 * headless Chromium profile and sums the encoded bytes that cross the network — once for
 * what the page itself loads, once for what the service worker's install precaches —
 * until the network has been quiet for a while. The target is the page's share:
 * at most 200 KiB before any engine is picked. Run by `npm run bench:browser`, or alone
 * with `node bench/first-load.js` after a build.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';

// Playwright reports a service worker's own fetches only with this switch on.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS ??= '1';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TARGET_KIB = 200;
const QUIET_MS = 2_000;

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/** The server `npm start` runs, on empty temporary folders, with sign-in off. */
async function startServer() {
  const port = await freePort();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-first-load-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HEARTH_HOST: `127.0.0.1:${port}`,
      HEARTH_MODELS: path.join(home, 'models'),
      HEARTH_DATA: path.join(home, 'data'),
      HEARTH_LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'inherit', 'inherit']
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('the Hearth server exited early');
    const up = await fetch(`${url}/api/version`).then(
      (r) => r.ok,
      () => false
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error('the Hearth server did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(home, { recursive: true, force: true });
    }
  };
}

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
  if (!fs.existsSync(path.join(ROOT, 'build', 'index.html')))
    throw new Error('build/ is missing: run `npm run build` first');
  const server = await startServer();
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
