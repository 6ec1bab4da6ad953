/**
 * The model source, for networks that cannot reach Hugging Face: a folder on the LAN
 * chosen in Settings (a bad URL refused first), the catalog and the chat's first-model
 * offer naming that host before anything is fetched, and a built-in model downloaded from
 * it. ModelScope is offered only for the models known to be there; the others say where
 * they come from instead.
 *
 * The model host stands in for the LAN folder and serves stories260K under the built-in
 * Qwen entry's file name. Built-in entries carry no sha256 and only an estimated size (the
 * real size comes from the server, as for every source), so the stand-in passes the same
 * checks the real file would — size as announced, GGUF structure — and the download ends
 * ready: what this test shows is where the bytes come from, not that these are Qwen's.
 */
import type { Page } from '@playwright/test';
import { test, expect, modelRow } from './fixtures/test';
import { STORIES } from './fixtures/model-host';

const QWEN = 'gguf:qwen2.5-0.5b-instruct-q4_k_m';
const QWEN_FILE = 'qwen2.5-0.5b-instruct-q4_k_m.gguf';
/** Smaller than Qwen, so it fits wherever Qwen does; not known to be on ModelScope. */
const SMOL = 'gguf:smollm2-360m-instruct-q8_0';
const SMOL_FILE = 'smollm2-360m-instruct-q8_0.gguf';

/** Chooses a source on the Settings page and waits until it is saved. */
async function chooseSource(page: Page, kind: string, url?: string) {
  await page.goto('/settings');
  await page.getByTestId('model-source-kind').selectOption(kind);
  if (url !== undefined) await page.getByTestId('model-source-url').fill(url);
  await page.getByTestId('model-source-save').click();
  await expect(page.getByTestId('model-source-saved')).toBeVisible();
}

test('a LAN folder as the source: refused when unsafe, named before download, and downloaded from', async ({
  page,
  modelHost
}) => {
  modelHost.serveAs(QWEN_FILE, STORIES);
  const folder = `${modelHost.url}/models`;
  const host = new URL(modelHost.url).host;
  const hubDownloads: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('.gguf') && url.host !== host) hubDownloads.push(request.url());
  });

  await page.goto('/settings');
  await page.getByTestId('model-source-kind').selectOption('lan');
  const save = page.getByTestId('model-source-save');
  const error = page.getByTestId('model-source-error');
  await page.getByTestId('model-source-url').fill('javascript:alert(1)');
  await save.click();
  await expect(error).toContainText('Only http:// and https:// URLs');
  await page.getByTestId('model-source-url').fill('http://me:secret@fileserver.lan/models');
  await save.click();
  await expect(error).toContainText('user name and password');
  await expect(page.getByTestId('model-source-saved')).toHaveCount(0);

  await page.getByTestId('model-source-url').fill(`${folder}/`);
  await save.click();
  await expect(page.getByTestId('model-source-saved')).toBeVisible();
  // Kept in the browser, without the trailing slash.
  await page.reload();
  await expect(page.getByTestId('model-source-kind')).toHaveValue('lan');
  await expect(page.getByTestId('model-source-url')).toHaveValue(folder);

  // The chat's offer for a first model names the LAN host.
  await page.goto('/');
  await expect(page.getByTestId('first-model-offer')).toHaveAttribute('data-model-id', QWEN);
  await expect(page.getByTestId('first-model-meta')).toContainText(`from ${host}`);

  await page.goto('/models');
  const row = modelRow(page, QWEN);
  await expect(row.getByTestId('model-origin')).toHaveText(`from ${host}`);
  // MLC weights are never in a LAN folder: their rows name Hugging Face instead.
  const mlcOrigin = page
    .locator('[data-testid="model-row"][data-format="mlc"]')
    .first()
    .getByTestId('model-origin');
  await expect(mlcOrigin).toHaveAttribute('data-host', 'huggingface.co');
  await expect(mlcOrigin).toHaveAttribute('data-missing', 'true');

  await row.getByTestId('model-download').click();
  await expect(row).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  expect(modelHost.requests.map((r) => r.path)).toContain(`models/${QWEN_FILE}`);
  expect(hubDownloads).toEqual([]);

  // A built-in model the folder does not hold fails naming the LAN URL it tried.
  const smol = modelRow(page, SMOL);
  await smol.getByTestId('model-download').click();
  await expect(smol).toHaveAttribute('data-status', 'error', { timeout: 30_000 });
  await expect(smol.getByTestId('model-error')).toContainText(`${folder}/${SMOL_FILE}`);
  expect(hubDownloads).toEqual([]);
});

test('ModelScope is named only for the models it carries; the others say where they come from', async ({
  page
}) => {
  await chooseSource(page, 'modelscope');
  await page.goto('/models');
  await expect(modelRow(page, QWEN).getByTestId('model-origin')).toHaveText('from modelscope.cn');
  const smol = modelRow(page, SMOL).getByTestId('model-origin');
  await expect(smol).toHaveText('Not on ModelScope; from huggingface.co');
  await expect(smol).toHaveAttribute('data-missing', 'true');

  // Back to the default: Hugging Face for everything again.
  await chooseSource(page, 'inherit');
  await page.goto('/models');
  await expect(modelRow(page, SMOL).getByTestId('model-origin')).toHaveText('from huggingface.co');
});
