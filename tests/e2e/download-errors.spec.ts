/**
 * A failed download names its cause and what to do: a wrong address (404), a mirror without
 * CORS headers, a host where nothing answers, a device that is offline. A download that
 * stored nothing is an error with Retry — never a "partial, 0 B of 0 B" with Resume.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { test, expect, addModelByUrl, ggufRows, waitForAddedModel } from './fixtures/test';
import { STORIES } from './fixtures/model-host';

/** The row failed outright: status error, a Retry button, no partial hint, nothing stored. */
async function expectRetryNotResume(row: Locator) {
  await expect(row).toHaveAttribute('data-status', 'error');
  await expect(row.getByTestId('model-download')).toHaveText(/Retry/);
  await expect(row).not.toContainText(/Resume|partial|0 B of/);
}

async function failedRow(page: Page) {
  const row = await waitForAddedModel(page, 'error');
  await expect(row.getByTestId('model-error')).toBeVisible();
  return row;
}

/** A loopback port where nothing listens (a server started and closed again). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a 404 says the file is not at that address', async ({ page, modelHost }) => {
  const url = `${modelHost.url}/no-such-model.gguf`;
  await addModelByUrl(page, url);
  const row = await failedRow(page);
  await expect(row.getByTestId('model-error')).toContainText('Not found at');
  await expect(row.getByTestId('model-error')).toContainText(url);
  await expect(row.getByTestId('model-error')).toContainText(/mirror.s layout/);
  await expectRetryNotResume(row);
});

test('a mirror without CORS headers is told apart from one that is down', async ({
  page,
  modelHost
}) => {
  modelHost.setCors(false);
  await addModelByUrl(page, `${modelHost.url}/${STORIES}`);
  const row = await failedRow(page);
  const error = row.getByTestId('model-error');
  await expect(error).toContainText(new URL(modelHost.url).host);
  await expect(error).toContainText('no CORS headers');
  await expect(error).toContainText('Access-Control-Allow-Origin');
  await expect(error).toContainText('Access-Control-Expose-Headers');
  await expect(error).not.toContainText('Cannot reach');
  await expectRetryNotResume(row);

  // Once the mirror sends the headers, Retry starts afresh and finishes.
  modelHost.setCors(true);
  await row.getByTestId('model-download').click();
  await waitForAddedModel(page, 'ready');
});

test('a host where nothing answers says it cannot be reached', async ({ page }) => {
  const port = await closedPort();
  await addModelByUrl(page, `http://127.0.0.1:${port}/${STORIES}`);
  const row = await failedRow(page);
  await expect(row.getByTestId('model-error')).toContainText(`Cannot reach 127.0.0.1:${port}`);
  await expect(row.getByTestId('model-error')).toContainText('name not found or server down');
  await expectRetryNotResume(row);
});

test('offline says so and asks to connect, then Retry works', async ({
  page,
  context,
  modelHost
}) => {
  await page.goto('/models');
  // The page must have rendered (its route chunk loaded) before the network goes away.
  await expect(page.getByTestId('add-url-input')).toBeVisible();
  await context.setOffline(true);
  await page.getByTestId('add-url-input').fill(`${modelHost.url}/${STORIES}`);
  await page.getByTestId('add-url-button').click();
  const row = await failedRow(page);
  await expect(row.getByTestId('model-error')).toContainText('You are offline');
  await expect(row.getByTestId('model-error')).toContainText('press Retry');
  await expectRetryNotResume(row);

  await context.setOffline(false);
  await row.getByTestId('model-download').click();
  await waitForAddedModel(page, 'ready');
  await expect(ggufRows(page).first().getByTestId('model-error')).toHaveCount(0);
});

test('the messages are translated', async ({ page, modelHost }) => {
  await page.goto('/models');
  await page.evaluate(() => localStorage.setItem('hearth.locale', 'zh-CN'));
  await addModelByUrl(page, `${modelHost.url}/no-such-model.gguf`);
  const row = await failedRow(page);
  await expect(row.getByTestId('model-error')).toContainText('未找到文件');
  await expect(row.getByTestId('model-download')).toHaveText('重试');
});
