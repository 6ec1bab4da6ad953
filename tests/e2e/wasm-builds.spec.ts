/**
 * Hearth's own llama.cpp wasm builds (vendor/wllama-simd: ggml's SIMD kernels, one
 * single-thread and one pthreads build) must decode exactly what the npm package's build
 * decodes, greedy, on a real model; and the engine must pick them by itself.
 */
import { test, expect } from './fixtures/test';
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
