import {
  test,
  expect,
  addModelByUrl,
  waitForAddedModel,
  askModel,
  GREEDY_CONTINUATION
} from './fixtures/test';
import { STORIES } from './fixtures/model-host';

test('add a model by URL, chat with it, then chat again offline from the cache', async ({
  page,
  context,
  modelHost
}) => {
  await addModelByUrl(page, `${modelHost.url}/${STORIES}`, 'Stories 260K');
  const row = await waitForAddedModel(page, 'ready');
  const modelId = (await row.getAttribute('data-model-id'))!;
  await expect(row.getByTestId('model-fit')).toBeVisible();

  const answer = await askModel(page, modelId, 'Once upon a time');
  await expect(answer.getByTestId('message-content')).toContainText(GREEDY_CONTINUATION);
  await expect(answer.getByTestId('message-stats')).toContainText(/tok\/s/);
  await expect(answer.getByTestId('message-stats')).toContainText(/WASM/i);
  await expect(page.getByTestId('engine-indicator')).toContainText(/WASM/i);

  // The service worker must control the page before the network goes away.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  await context.setOffline(true);
  const fetchedBefore = modelHost.requests.length;
  await page.reload();
  await expect(page.getByTestId('offline-badge')).toBeVisible();
  const again = await askModel(page, modelId, 'Once upon a time');
  await expect(again.getByTestId('message-content')).toContainText(GREEDY_CONTINUATION);
  expect(modelHost.requests.length).toBe(fetchedBefore);
});

test('a tiny answer-length cap cuts the answer, and Continue writes on in the same message', async ({
  page,
  modelHost
}) => {
  await addModelByUrl(page, `${modelHost.url}/${STORIES}`, 'Stories 260K');
  const row = await waitForAddedModel(page, 'ready');
  const modelId = (await row.getAttribute('data-model-id'))!;

  await page.goto('/');
  await page.getByTestId('new-conversation').click();
  await page.getByTestId('model-picker').selectOption(modelId);
  await page.getByTestId('preset').selectOption('precise');
  await page.getByTestId('param-num_predict').fill('8');
  await page.getByTestId('composer').fill('Once upon a time');
  await page.getByTestId('composer').press('Enter');

  const answers = page.locator('[data-testid="message"][data-role="assistant"]');
  const answer = answers.last();
  await expect(answer.getByTestId('answer-cut')).toContainText('Answer cut at 8 tokens');
  const content = answer.getByTestId('message-content');
  const first = (await content.innerText()).trim();
  expect(first.length).toBeGreaterThan(0);
  // Greedy decoding: the cut answer is the start of the uninterrupted one (which begins
  // ", there was …" after the prompt's last word).
  const words = first.replace(/^[\s,]+/, '');
  expect(GREEDY_CONTINUATION.startsWith(words) || words.startsWith(GREEDY_CONTINUATION)).toBe(true);

  // Continue until the story reaches the known greedy sentence: a real continuation (the
  // base model completes prompt + partial answer) must write exactly what it would have.
  for (let round = 1; round <= 4; round++) {
    const before = (await content.innerText()).trim();
    if (before.includes(GREEDY_CONTINUATION)) break;
    await answer.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(async () => (await content.innerText()).trim().length)
      .toBeGreaterThan(before.length);
    // The transcript is aria-busy while an answer streams.
    await expect(page.getByRole('log')).toHaveAttribute('aria-busy', 'false');
    expect((await content.innerText()).trim().startsWith(before)).toBe(true);
  }
  await expect(content).toContainText(GREEDY_CONTINUATION);
  await expect(answers).toHaveCount(1);
  await expect(answer.getByTestId('message-stats')).toContainText(/tok\/s/);
});
