import {
  test,
  expect,
  addModelByUrl,
  waitForAddedModel,
  ggufRows,
  STORIES_PATH
} from './fixtures/test';
import { STORIES } from './fixtures/model-host';

test('add a model from a local file (the air-gapped case)', async ({ page }) => {
  await page.goto('/models');
  await page.getByTestId('add-file-input').setInputFiles(STORIES_PATH);
  const row = await waitForAddedModel(page, 'ready');
  await expect(row).toContainText(/F32/);
});

test('a truncated file gives a clear error and no ready model', async ({ page, modelHost }) => {
  await addModelByUrl(page, `${modelHost.url}/truncated.gguf`);
  const row = await waitForAddedModel(page, 'error');
  await expect(row.getByTestId('model-error')).toContainText(/truncat|incomplete|size/i);
  await expect(ggufRows(page).and(page.locator('[data-status="ready"]'))).toHaveCount(0);
});

test('a file that is not a GGUF gives a clear error and no ready model', async ({
  page,
  modelHost
}) => {
  await addModelByUrl(page, `${modelHost.url}/corrupt.gguf`);
  const row = await waitForAddedModel(page, 'error');
  await expect(row.getByTestId('model-error')).toContainText(/GGUF/);
  await expect(ggufRows(page).and(page.locator('[data-status="ready"]'))).toHaveCount(0);
});

test('a download cut halfway resumes and is verified before it is ready', async ({
  page,
  modelHost
}) => {
  modelHost.cutNextAfter(400_000);
  await addModelByUrl(page, `${modelHost.url}/${STORIES}`);
  const row = ggufRows(page).first();
  // 'partial' is also the status while bytes flow: wait until the cut is recorded.
  await expect(row.getByTestId('model-error')).toContainText(/interrupted/i, { timeout: 30_000 });
  await expect(row).toHaveAttribute('data-status', 'partial');

  await page.reload();
  await ggufRows(page).first().getByTestId('model-download').click();
  await waitForAddedModel(page, 'ready');
  const resumed = modelHost.requests.filter((r) => r.range && !r.range.startsWith('bytes=0-'));
  expect(resumed, JSON.stringify(modelHost.requests)).not.toHaveLength(0);
});
