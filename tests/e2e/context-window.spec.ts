/**
 * A conversation that outgrows the context window, with a real model — stories260K given
 * a chat template (its weights untouched), so the whole transcript is its prompt — in the
 * tab (llama.cpp in wasm) and on a Hearth server. Nothing is cut silently: the chat stops
 * and asks, letting the oldest turns go marks where the model's view starts (and survives
 * a reload), and a new chat takes the last message along.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, addModelByUrl, waitForAddedModel } from './fixtures/test';
import { startHearth } from './fixtures/hearth-server';
import { SHARED_MODELS, STORIES } from './fixtures/model-host';
import { ggufWithKeys } from '../unit/helpers/gguf';

const TEMPLATE =
  "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}" +
  '{% if add_generation_prompt %}assistant:{% endif %}';
/** A few dozen tokens: a handful of turns outgrow a 128-token window. */
const QUESTION =
  'Once upon a time there was a little girl who loved the park, the trees, the birds and the big blue sky';

async function chatModelBytes(): Promise<Buffer> {
  const chat = await ggufWithKeys(path.join(SHARED_MODELS, STORIES), {
    'tokenizer.chat_template': TEMPLATE
  });
  return Buffer.from(await chat.arrayBuffer());
}

/**
 * Chats with `modelId` in a 128-token window until the chat says it is full; lets the
 * oldest turns go; asks once more (no question then); reloads.
 */
async function outgrowTheWindow(page: Page, modelId: string): Promise<void> {
  await page.goto('/');
  await page.getByTestId('new-conversation').click();
  await page.getByTestId('model-picker').selectOption(modelId);
  await page.getByTestId('preset').selectOption('precise');
  await page.getByTestId('param-num_ctx').fill('128');
  await page.getByTestId('param-num_predict').fill('6');
  const log = page.getByRole('log');
  const notice = page.getByTestId('context-notice');
  const answers = page.locator('[data-testid="message"][data-role="assistant"]');

  let sent = 0;
  while (!(await notice.isVisible()) && sent < 8) {
    await page.getByTestId('composer').fill(`${QUESTION} (${++sent})`);
    await page.getByTestId('composer').press('Enter');
    await expect(answers).toHaveCount(sent);
    await expect(log).toHaveAttribute('aria-busy', 'false');
  }
  await expect(notice).toBeVisible();
  expect(sent).toBeGreaterThan(1);
  await expect(page.getByTestId('context-divider')).toHaveCount(0);

  await notice.getByTestId('context-let-go').click();
  await expect(notice).toBeHidden();
  await expect(log).toHaveAttribute('aria-busy', 'false');
  await expect(answers).toHaveCount(sent);
  await expect(answers.last().getByTestId('message-stats')).toContainText(/tok\/s/);
  await expect(page.getByTestId('context-divider')).toBeVisible();

  // From then on the oldest turns go without asking.
  await page.getByTestId('composer').fill(`${QUESTION} (${++sent})`);
  await page.getByTestId('composer').press('Enter');
  await expect(answers).toHaveCount(sent);
  await expect(log).toHaveAttribute('aria-busy', 'false');
  await expect(notice).toBeHidden();
  await expect(answers.last().getByTestId('message-stats')).toContainText(/tok\/s/);

  await page.reload();
  await expect(page.getByTestId('context-divider')).toBeVisible();
}

test('in the tab: a full window asks; the oldest turns go on request; a new chat takes the message', async ({
  page,
  modelHost
}) => {
  modelHost.serveBytes('stories-chat.gguf', await chatModelBytes());
  await addModelByUrl(page, `${modelHost.url}/stories-chat.gguf`, 'Stories chat');
  const row = await waitForAddedModel(page, 'ready');
  await outgrowTheWindow(page, (await row.getAttribute('data-model-id'))!);

  // A message that alone outgrows the window: nothing to let go; a new chat takes it.
  const notice = page.getByTestId('context-notice');
  const huge = `${QUESTION} `.repeat(8).trim();
  await page.getByTestId('composer').fill(huge);
  await page.getByTestId('composer').press('Enter');
  await expect(notice).toBeVisible();
  await expect(notice.getByTestId('context-let-go')).toHaveCount(0);
  await notice.getByTestId('context-new-chat').click();
  await expect(page.getByTestId('composer')).toHaveValue(huge);
  await expect(page.locator('[data-testid="message"]')).toHaveCount(0);
});

test('on a Hearth server: the same choice, the server refusing rather than cutting', async ({
  browser
}) => {
  const server = await startHearth();
  try {
    const page = await (await browser.newContext({ baseURL: server.url })).newPage();
    await page.goto('/admin/models');
    await page.getByTestId('model-upload-input').setInputFiles({
      name: 'stories-chat.gguf',
      mimeType: 'application/octet-stream',
      buffer: await chatModelBytes()
    });
    await page.getByTestId('model-upload-name').fill('stories-chat');
    await page.getByTestId('model-upload-submit').click();
    await expect(page.getByTestId('model-upload-done')).toBeVisible({ timeout: 60_000 });
    await outgrowTheWindow(page, 'server:stories-chat:latest');
  } finally {
    await server.stop();
  }
});
