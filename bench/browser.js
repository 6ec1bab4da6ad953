#!/usr/bin/env node
/**
 * Browser benchmark (figures, no assertions): serves build/ with COOP/COEP (so wllama may
 * use threads) plus ../shared/models with Range support, drives headless Chromium to the
 * hidden /bench page, and prints WASM prefill/decode speed at 1 and 2 threads, the time
 * from a reload (weights already in IndexedDB) to the first token, and IndexedDB read
 * speed. Run with `npm run bench:browser` (it builds first).
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const ROOT = path.resolve(import.meta.dirname, '..');
// BENCH_BUILD_DIR lets a build made elsewhere be measured (e.g. a clean copy of the tree).
const BUILD = path.resolve(process.env.BENCH_BUILD_DIR ?? path.join(ROOT, 'build'));
const MODELS = path.resolve(ROOT, '../shared/models');
const MODEL_FILES = ['synth15M-q8_0.gguf', 'synth110M-q4_0.gguf'];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PROMPT_TOKENS = 128;
const GEN_TOKENS = 64;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.gguf': 'application/octet-stream'
};

/** Serves one file, honouring a single `bytes=a-b` range (enough for resumable downloads). */
function sendFile(req, res, file) {
  const size = fs.statSync(file).size;
  const headers = {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-cache'
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = range[1] === '' ? size - Number(range[2]) : Number(range[1]);
    const end =
      range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start > end || start >= size) {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': end - start + 1
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).pipe(res);
}

export function startStaticServer({ build = BUILD, models = MODELS } = {}) {
  const server = http.createServer((req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = decodeURIComponent(url.pathname);
    if (pathname.startsWith('/models/')) {
      const file = path.join(models, path.basename(pathname));
      if (fs.existsSync(file)) return sendFile(req, res, file);
      res.writeHead(404).end('no such model');
      return;
    }
    const candidate = path.join(build, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
    if (
      candidate.startsWith(build) &&
      fs.existsSync(candidate) &&
      fs.statSync(candidate).isFile()
    ) {
      return sendFile(req, res, candidate);
    }
    // SPA fallback (adapter-static writes index.html for every other route).
    sendFile(req, res, path.join(build, 'index.html'));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((r) => server.close(r))
      });
    });
  });
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

async function openBench(page, base) {
  await page.goto(`${base}/bench`);
  await page.waitForFunction(() => 'hearthBench' in window, null, { timeout: 60_000 });
}

async function main() {
  if (!fs.existsSync(path.join(BUILD, 'index.html')))
    throw new Error('build/ is missing: run `npm run build` first');
  const server = await startStaticServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-first-run'] });
  const started = Date.now();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await openBench(page, server.url);
    const env = await page.evaluate(() => ({
      isolated: globalThis.crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
      ua: navigator.userAgent
    }));
    console.log(`Chromium: ${env.ua}`);
    console.log(`cross-origin isolated: ${env.isolated}, cores: ${env.cores}`);
    console.log(`prompt ${PROMPT_TOKENS} tokens, generate ${GEN_TOKENS} tokens, greedy\n`);

    for (const file of MODEL_FILES) {
      if (!fs.existsSync(path.join(MODELS, file))) {
        console.log(`${file}: not found in ${MODELS}, skipped\n`);
        continue;
      }
      const importStart = Date.now();
      const modelId = await page.evaluate(
        (url) => window.hearthBench.importFile(url),
        `/models/${file}`
      );
      console.log(
        `${file} (${modelId}) imported into IndexedDB in ${fmt((Date.now() - importStart) / 1000)} s`
      );
      const idb = await page.evaluate((id) => window.hearthBench.idbReadMBps(id), modelId);
      const runs = {};
      for (const threads of [1, 2]) {
        const r = await page.evaluate((args) => window.hearthBench.runWasm(args), {
          modelId,
          threads,
          promptTokens: PROMPT_TOKENS,
          genTokens: GEN_TOKENS
        });
        runs[threads] = r;
        console.log(
          `  ${threads} thread${threads > 1 ? 's' : ' '} (ran ${r.threads}): prefill ${fmt(r.prefillTokPerSec)} tok/s ` +
            `(${r.promptTokens} tok), decode ${fmt(r.decodeTokPerSec)} tok/s (${r.genTokens} tok), ` +
            `load ${fmt(r.loadMs, 0)} ms, first token ${fmt(r.firstTokenMs, 0)} ms after load`
        );
      }
      // Reload: the page starts cold but the weights are already in IndexedDB.
      const reloadStart = Date.now();
      await openBench(page, server.url);
      const warm = await page.evaluate((args) => window.hearthBench.runWasm(args), {
        modelId,
        threads: 1,
        promptTokens: 16,
        genTokens: 1
      });
      const reloadToToken = warm.firstTokenEpochMs - reloadStart;
      console.log(`  reload → first token (weights cached, 1 thread): ${fmt(reloadToToken, 0)} ms`);
      console.log(`  IndexedDB read: ${fmt(idb)} MB/s`);
      const ratio = (a, b) => (b > 0 ? a / b : NaN);
      console.log(
        `  2-thread/1-thread: prefill ×${fmt(ratio(runs[2].prefillTokPerSec, runs[1].prefillTokPerSec), 2)}, ` +
          `decode ×${fmt(ratio(runs[2].decodeTokPerSec, runs[1].decodeTokPerSec), 2)}\n`
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`benchmark took ${fmt((Date.now() - started) / 1000)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
