/**
 * A first visit with no model is one step from a first answer: the chat offers the model
 * that suits this device (named, sized, with where it comes from) and a local file, and
 * a signed-out visitor of a portal is told to sign in rather than that nothing exists.
 */
import { startHearth } from './fixtures/hearth-server';
import { GREEDY_CONTINUATION, STORIES_PATH, expect, test } from './fixtures/test';

test('with no model, the chat offers one download that suits the device, or a local file that answers', async ({
  page
}) => {
  await page.goto('/');
  const offer = page.getByTestId('first-model-offer');
  // Headless Chromium has no GPU here: the CPU engine's pick, from Hugging Face.
  await expect(offer).toHaveAttribute('data-model-id', 'gguf:qwen2.5-0.5b-instruct-q4_k_m');
  await expect(page.getByTestId('first-model-download')).toHaveText(
    'Download Qwen2.5 0.5B Instruct'
  );
  await expect(page.getByTestId('first-model-meta')).toContainText('468 MiB');
  await expect(page.getByTestId('first-model-meta')).toContainText('from huggingface.co');

  await page.getByTestId('first-model-file').setInputFiles(STORIES_PATH);
  // The imported model is chosen for the chat by itself; the offer goes away.
  await expect(page.getByTestId('first-model')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('model-picker')).not.toHaveValue('');
  await page.getByTestId('preset').selectOption('precise');
  await page.getByTestId('composer').fill('Once upon a time');
  await page.getByTestId('composer').press('Enter');
  await expect(
    page.locator('[data-testid="message"][data-role="assistant"]').getByTestId('message-content')
  ).toContainText(GREEDY_CONTINUATION);
});

test('a signed-out visitor of a portal with sign-in on is asked to sign in to see its models', async ({
  browser
}) => {
  const portal = await startHearth({ HEARTH_AUTH: 'on' });
  try {
    const setup = await fetch(`${portal.url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'correct horse battery' })
    });
    expect(setup.status).toBeLessThan(300);
    const context = await browser.newContext({ baseURL: portal.url, locale: 'zh-CN' });
    const visitor = await context.newPage();
    await visitor.goto('/');
    await expect(visitor.getByTestId('first-model')).toContainText('登录后即可使用本服务器的模型');
    await visitor.getByTestId('first-model-sign-in').click();
    await expect(visitor).toHaveURL(/\/login/);
    await context.close();
  } finally {
    await portal.stop();
  }
});
