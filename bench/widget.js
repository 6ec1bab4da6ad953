/**
 * The embeddable widget's weight and speed.
 *  - Weight: what a host page loads before the launcher is opened (widget.js) and what
 *    opening it adds (the panel and its chunks), raw, gzipped and brotli-compressed.
 *  - Speed: on a host page (another site, fresh browser context each round, so the panel
 *    is fetched cold), time from clicking the launcher to a ready panel, and from the
 *    visitor's Enter to the first token of the answer in the panel, with the server engine and stories260K; against the same request sent
 *    straight from Node with the same widget key and Origin (the server's own time to
 *    first token), interleaved round by round, medians of BENCH_ROUNDS (default 5). The
 *    same for the browser engine (engine="browser"), on a page of the portal's own site.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from '@playwright/test';
import { hostPolicy, startHostSite } from '../tests/e2e/fixtures/host-site.ts';
import { startWidgetServer } from '../tests/e2e/fixtures/widget-server.ts';
import { median, readStream } from './stream-timing.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROMPT = 'Once upon a time';

const BUILD = path.resolve(import.meta.dirname, '..', 'build');

function sizes(file) {
  const bytes = fs.readFileSync(file);
  return {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes).length
  };
}

const loader = path.join(BUILD, 'widget.js');
if (!fs.existsSync(loader)) {
  console.error('build/widget.js is missing: run `npm run build:widget` first');
  process.exit(1);
}
const panelDir = path.join(BUILD, 'widget');
const panelFiles = fs.readdirSync(panelDir).filter((name) => name.endsWith('.js'));
const total = (list) =>
  list.reduce(
    (sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, brotli: sum.brotli + s.brotli }),
    { raw: 0, gzip: 0, brotli: 0 }
  );
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const line = (label, s) =>
  console.log(
    `${label.padEnd(28)} ${kb(s.raw).padStart(10)} raw ${kb(s.gzip).padStart(10)} gzip ${kb(s.brotli).padStart(10)} br`
  );

const before = sizes(loader);
line('before opening (widget.js)', before);
line('on open (panel, all chunks)', total(panelFiles.map((f) => sizes(path.join(panelDir, f)))));
const BUDGET = 25 * 1024;
console.log(
  `loader budget: ${kb(before.gzip)} of ${kb(BUDGET)} gzipped (${before.gzip <= BUDGET ? 'within' : 'OVER'})`
);

/** The server's own time to the first answer token for a widget's request. */
async function directTtft(url, key, origin) {
  const started = performance.now();
  const response = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, origin, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: PROMPT }] })
  });
  if (!response.ok) throw new Error(`direct chat: ${response.status} ${await response.text()}`);
  const { firstAt } = await readStream(response, JSON.parse, (chunk) => chunk.done);
  return { ms: firstAt - started };
}

/**
 * Asks once and times it inside the page, from the Enter key to the new answer's first
 * text in the panel's shadow root, so the driver's own round trips do not count.
 */
async function timedQuestion(page) {
  await page.getByTestId('hw-input').fill(PROMPT);
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const root = document.querySelector('hearth-chat').shadowRoot;
    const before = root.querySelectorAll('[data-role="assistant"]').length;
    w.__ttft = new Promise((resolve) => {
      let sent = 0;
      const onEnter = (e) => e.key === 'Enter' && (sent = performance.now());
      document.addEventListener('keydown', onEnter, { capture: true, once: true });
      const seen = new MutationObserver(() => {
        const body = root.querySelectorAll('[data-role="assistant"] .body')[before];
        if (sent && body && /\S/.test(body.textContent)) {
          seen.disconnect();
          resolve(performance.now() - sent);
        }
      });
      seen.observe(root, { subtree: true, childList: true, characterData: true });
    });
  });
  await page.getByTestId('hw-input').press('Enter');
  return page.evaluate(() => /** @type {any} */ (window).__ttft);
}

/** Launcher click to the first answer text on a host page, in a fresh context. */
async function widgetTtft(browser, pageUrl) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(pageUrl);
    const launcher = page.getByTestId('hw-launcher');
    await launcher.waitFor();
    const started = performance.now();
    await launcher.click();
    await page.getByTestId('hw-input').waitFor();
    const ready = performance.now() - started;
    const cold = await timedQuestion(page);
    await page.getByTestId('hw-send').waitFor(); // the first answer is complete
    const warm = await timedQuestion(page);
    return { ready, cold, warm };
  } finally {
    await context.close();
  }
}

async function speed() {
  if (!fs.existsSync(path.join(BUILD, 'index.html'))) {
    console.log('\nbuild/ is missing (run `npm run build`): time to first token skipped');
    return;
  }
  const server = await startWidgetServer();
  const files = {};
  const policy = hostPolicy(server.hearth.url);
  // The server engine from another site; the browser engine from the portal's own site
  // (another port), where the engine page keeps the weights (see README).
  const site = await startHostSite('localhost', files, policy);
  const sameSite = await startHostSite('127.0.0.1', files, policy);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-first-run'] });
  const embed = (key, engine) => ({
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><title>Wiki</title><script src="${server.hearth.url}/widget.js" data-model="stories" data-key="${key}" data-engine="${engine}" async></script>`
  });
  try {
    const { key } = await server.createKey([site.origin]);
    const inTab = await server.createKey([sameSite.origin], { browserEngine: true });
    files['/embed.html'] = embed(key, 'server');
    files['/in-tab.html'] = embed(inTab.key, 'browser');
    await directTtft(server.hearth.url, key, site.origin); // loads the model
    const direct = [];
    const widget = [];
    const tab = [];
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await directTtft(server.hearth.url, key, site.origin));
      widget.push(await widgetTtft(browser, `${site.origin}/embed.html`));
      tab.push(await widgetTtft(browser, `${sameSite.origin}/in-tab.html`));
    }
    const ms = (n) => `${n.toFixed(0).padStart(5)} ms`;
    console.log(
      `\nwidget on a host page, stories260K, median of ${ROUNDS} fresh browser contexts:`
    );
    console.log('                                                 server engine   browser engine');
    const row = (label, field) =>
      console.log(
        `  ${label.padEnd(44)} ${ms(median(widget, field))}      ${ms(median(tab, field))}`
      );
    row('launcher click → panel ready (cold chunks)', 'ready');
    row('Enter → first token, first question', 'cold');
    row('Enter → first token, second question', 'warm');
    console.log(`  same request from Node (the server's own)    ${ms(median(direct, 'ms'))}`);
    const ratio = (median(widget, 'warm') / median(direct, 'ms')).toFixed(1);
    console.log(`  server engine, second question ÷ server's own ${ratio}×`);
    console.log(
      "  (the browser engine's first question includes downloading the model into the\n" +
        '   fresh context and starting wllama; the second runs from memory)'
    );
  } finally {
    await browser.close();
    await site.close();
    await sameSite.close();
    await server.hearth.stop();
  }
}

await speed();
