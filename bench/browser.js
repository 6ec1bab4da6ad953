#!/usr/bin/env node
/**
 * Browser benchmark (figures, no assertions): serves build/ with COOP/COEP (so wllama may
 * use threads) plus ../shared/models with Range support, drives headless Chromium to the
 * hidden /bench page, and prints WASM prefill/decode speed at 1 and 2 threads for the npm
 * package's llama.cpp build and Hearth's SIMD build, each as a ratio to native llama.cpp
 * (llama-bench, same source, same threads) measured in the same run, interleaved round by
 * round; then the time from a reload (weights already in IndexedDB) to the first token,
 * and IndexedDB read speed. Run with `npm run bench:browser` (it builds first).
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { llamaBench, nativeTools } from './native-reference.js';
import { fmt, printTable, ratio } from './report.js';
import { median } from './stream-timing.js';

const ROOT = path.resolve(import.meta.dirname, '..');
// BENCH_BUILD_DIR lets a build made elsewhere be measured (e.g. a clean copy of the tree).
const BUILD = path.resolve(process.env.BENCH_BUILD_DIR ?? path.join(ROOT, 'build'));
const MODELS = path.resolve(ROOT, '../shared/models');
const MODEL_FILES = ['synth15M-q8_0.gguf', 'synth110M-q4_0.gguf'];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PROMPT_TOKENS = 128;
const GEN_TOKENS = 64;
const THREADS = [1, 2];
const BUILDS = ['stock', 'simd'];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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

async function openBench(page, base) {
  await page.goto(`${base}/bench`);
  await page.waitForFunction(() => 'hearthBench' in window, null, { timeout: 60_000 });
}

/** One interleaved round at `threads`: llama-bench, then each wasm build in a fresh engine. */
async function round(page, tools, { file, modelId, threads }) {
  const out = {};
  if (tools.bench) {
    const native = llamaBench(tools.bench, path.join(MODELS, file), {
      threads,
      promptTokens: PROMPT_TOKENS,
      genTokens: GEN_TOKENS,
      repetitions: 1
    });
    out.native = { prefill: native.prefillTps, decode: native.decodeTps };
  }
  for (const build of BUILDS) {
    const r = await page.evaluate((args) => window.hearthBench.runWasm(args), {
      modelId,
      threads,
      build: build === 'simd' && threads > 1 ? 'simd-mt' : build,
      promptTokens: PROMPT_TOKENS,
      genTokens: GEN_TOKENS
    });
    out[build] = { prefill: r.prefillTokPerSec, decode: r.decodeTokPerSec, text: r.text };
  }
  return out;
}

async function benchModel(page, base, tools, file) {
  const importStart = Date.now();
  const modelId = await page.evaluate(
    (url) => window.hearthBench.importFile(url),
    `/models/${file}`
  );
  console.log(`${file}: imported into IndexedDB in ${fmt((Date.now() - importStart) / 1000)} s`);
  const idb = await page.evaluate((id) => window.hearthBench.idbReadMBps(id), modelId);
  const rows = [];
  let sameText = true;
  for (const threads of THREADS) {
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++)
      rounds.push(await round(page, tools, { file, modelId, threads }));
    const med = (who, key) =>
      median(
        rounds.filter((r) => r[who]).map((r) => r[who]),
        key
      );
    for (const r of rounds) if (r.simd.text !== r.stock.text) sameText = false;
    const cells = (who) => [fmt(med(who, 'prefill')), fmt(med(who, 'decode'))];
    const vsNative = (who) =>
      tools.bench
        ? [
            ratio(med(who, 'prefill'), med('native', 'prefill')),
            ratio(med(who, 'decode'), med('native', 'decode'))
          ]
        : ['-', '-'];
    rows.push([
      threads,
      ...(tools.bench ? cells('native') : ['-', '-']),
      ...cells('stock'),
      ...vsNative('stock'),
      ...cells('simd'),
      ...vsNative('simd'),
      ratio(med('simd', 'decode'), med('stock', 'decode'))
    ]);
  }
  printTable(
    `${file}: prefill ${PROMPT_TOKENS} / decode ${GEN_TOKENS} tokens, tok/s, median of ${ROUNDS} interleaved rounds`,
    [
      'threads',
      'native pp',
      'native tg',
      'stock pp',
      'stock tg',
      'pp/native',
      'tg/native',
      'simd pp',
      'simd tg',
      'pp/native',
      'tg/native',
      'simd/stock tg'
    ],
    rows
  );
  console.log(
    `  greedy text, SIMD build vs package build: ${sameText ? 'identical' : 'DIFFERENT'}`
  );

  // Reload: the page starts cold but the weights are already in IndexedDB.
  const reloadStart = Date.now();
  await openBench(page, base);
  const warm = await page.evaluate((args) => window.hearthBench.runWasm(args), {
    modelId,
    threads: 1,
    promptTokens: 16,
    genTokens: 1
  });
  console.log(
    `  reload → first token (weights cached, engine's own build choice, 1 thread): ${fmt(warm.firstTokenEpochMs - reloadStart, 0)} ms`
  );
  console.log(`  IndexedDB read: ${fmt(idb)} MB/s\n`);
}

async function main() {
  if (!fs.existsSync(path.join(BUILD, 'index.html')))
    throw new Error('build/ is missing: run `npm run build` first');
  const tools = nativeTools();
  if (tools.missing) console.log(`No llama.cpp reference (${tools.missing}): no native ratios.`);
  else
    console.log(
      `Native reference: llama-bench, llama.cpp ${tools.commit} (node-llama-cpp's source)`
    );
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
    console.log(
      "builds: stock = the npm package's wasm (memory64, generic kernels); " +
        "simd = Hearth's (vendor/wllama-simd: wasm32, ggml SIMD kernels; pthreads build at 2 threads)\n"
    );
    for (const file of MODEL_FILES) {
      if (!fs.existsSync(path.join(MODELS, file))) {
        console.log(`${file}: not found in ${MODELS}, skipped\n`);
        continue;
      }
      await benchModel(page, server.url, tools, file);
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
