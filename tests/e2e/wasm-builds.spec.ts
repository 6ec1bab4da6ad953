/**
 * Hearth's own llama.cpp wasm builds (vendor/wllama-simd: ggml's SIMD kernels, one
 * single-thread and one pthreads build) must decode exactly what the npm package's build
 * decodes, greedy, on a real model; and the engine must pick them by itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from './fixtures/test';
import { ROOT, startHearth } from './fixtures/hearth-server';
import { STORIES } from './fixtures/model-host';

interface Run {
  text: string;
  detail: string;
  genTokens: number;
}
/** The part of the hidden /bench page's `window.hearthBench` this test drives. */
interface Bench {
  importFile(url: string): Promise<string>;
  runWasm(args: object): Promise<Run>;
}
type BenchWindow = { hearthBench: Bench };

test('the SIMD builds decode the same greedy text as the package build, and are the default', async ({
  page,
  modelHost
}) => {
  await page.goto('/bench');
  await page.waitForFunction(() => 'hearthBench' in window);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  const modelId = await page.evaluate(
    (url) => (window as unknown as BenchWindow).hearthBench.importFile(url),
    `${modelHost.url}/${STORIES}`
  );
  const run = (args: { threads: number; build?: string }): Promise<Run> =>
    page.evaluate((a) => (window as unknown as BenchWindow).hearthBench.runWasm(a), {
      modelId,
      promptTokens: 24,
      genTokens: 24,
      ...args
    });

  const stock = await run({ threads: 1, build: 'stock' });
  expect(stock.detail).toContain('stock build');
  expect(stock.genTokens).toBe(24);
  expect(stock.text.trim().length).toBeGreaterThan(10);

  const simd = await run({ threads: 1, build: 'simd' });
  expect(simd.detail).toContain('simd build');
  expect(simd.text).toBe(stock.text);

  // Left to itself on a cross-origin isolated page, the engine takes a SIMD build.
  const auto = await run({ threads: 2 });
  expect(auto.detail).toMatch(/\(simd(-mt)? build\)/);
  expect(auto.text).toBe(stock.text);

  const threaded = await run({ threads: 2, build: 'simd-mt' });
  expect(threaded.detail).toContain('(simd-mt build), 2 threads');
  expect(threaded.text).toBe(stock.text);
});

/** A copy of the built app (links, not bytes) without the files `omit` names. */
function appWithout(omit: RegExp): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-app-'));
  const link = (from: string, to: string) => {
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) {
        fs.mkdirSync(target);
        link(source, target);
      } else if (!omit.test(entry.name)) fs.symlinkSync(source, target);
    }
  };
  link(path.join(ROOT, 'build'), copy);
  return copy;
}

test('an engine file that cannot be fetched fails the load with its name, not "Thinking…" forever', async ({
  page,
  modelHost
}) => {
  // As on a device that went offline before keeping the engine: the pthreads build's
  // per-thread script and the llama.cpp wasm files are not there (nor their precompressed
  // copies, which the server would answer with).
  const appDir = appWithout(/^(wllama-mt\.worker|wllama)\.[\w-]+\.(js|wasm)(\.br|\.gz)?$/);
  const hearth = await startHearth({ HEARTH_APP_DIR: appDir });
  try {
    await page.goto(`${hearth.url}/bench`);
    await page.waitForFunction(() => 'hearthBench' in window);
    const modelId = await page.evaluate(
      (url) => (window as unknown as BenchWindow).hearthBench.importFile(url),
      `${modelHost.url}/${STORIES}`
    );
    const failure = (threads: number, build: string) =>
      page.evaluate(
        (args) =>
          (window as unknown as BenchWindow).hearthBench
            .runWasm({ ...args, promptTokens: 8, genTokens: 8 })
            .then(
              () => 'answered',
              (error: Error) => error.message
            ),
        { modelId, threads, build }
      );
    expect(await failure(2, 'simd-mt')).toMatch(
      /^wllama-mt\.worker\.[\w-]+\.js could not be fetched \(HTTP 404\)\.$/
    );
    expect(await failure(1, 'simd')).toMatch(
      /^wllama\.[\w-]+\.wasm could not be fetched \(HTTP 404\)\.$/
    );
  } finally {
    await hearth.stop();
    fs.rmSync(appDir, { recursive: true, force: true });
  }
});
