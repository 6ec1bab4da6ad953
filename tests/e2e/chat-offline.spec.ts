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
