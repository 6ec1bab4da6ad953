import { afterEach, expect, test } from 'vitest';
import { render } from 'vitest-browser-svelte';
import { locale } from '$lib/i18n';
import EngineIndicator from './EngineIndicator.svelte';

afterEach(() => locale.set('en'));

const starting = {
  kind: 'wasm' as const,
  status: 'loading' as const,
  reason: '',
  progress: { phase: 'init' as const, text: 'Starting llama.cpp (wasm, 2 threads)' },
  error: null
};

test("a loading engine's phase reads in the page's language; the engine's own line stays in the tooltip", async () => {
  locale.set('zh-CN');
  const screen = await render(EngineIndicator, starting);
  await expect.element(screen.getByTestId('engine-progress')).toHaveTextContent('正在启动引擎');
  await expect
    .element(screen.getByTestId('engine-indicator'))
    .toHaveAttribute('title', 'Starting llama.cpp (wasm, 2 threads)');
});

test('English shows the phase too, not the engine-specific line', async () => {
  const screen = await render(EngineIndicator, starting);
  await expect
    .element(screen.getByTestId('engine-progress'))
    .toHaveTextContent('Starting the engine');
});
