/**
 * A conversation that outgrows the context window, in the tab with llama.cpp (wllama) and
 * a real model: stories260K given a chat template (its weights untouched), so the whole
 * transcript is its prompt. Nothing is cut silently: the chat stops and asks, letting the
 * oldest turns go marks where the model's view starts (and survives a reload), and a new
 * chat takes the last message along.
 */
import path from 'node:path';
import { test, expect, addModelByUrl, waitForAddedModel } from './fixtures/test';
import { SHARED_MODELS, STORIES } from './fixtures/model-host';
import { ggufWithKeys } from '../unit/helpers/gguf';

const TEMPLATE =
  "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}" +
  '{% if add_generation_prompt %}assistant:{% endif %}';
/** A few dozen tokens: a handful of turns outgrow a 128-token window. */
const QUESTION =
  'Once upon a time there was a little girl who loved the park, the trees, the birds and the big blue sky';

test('a full context window asks; the oldest turns go on request; a new chat takes the message', async ({
  page,
  modelHost
}) => {
  const chat = await ggufWithKeys(path.join(SHARED_MODELS, STORIES), {
    'tokenizer.chat_template': TEMPLATE
  });
  modelHost.serveBytes('stories-chat.gguf', Buffer.from(await chat.arrayBuffer()));
  await addModelByUrl(page, `${modelHost.url}/stories-chat.gguf`, 'Stories chat');
  const row = await waitForAddedModel(page, 'ready');
  const modelId = (await row.getAttribute('data-model-id'))!;

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
  const divider = page.getByTestId('context-divider');
  await expect(divider).toBeVisible();

  // From then on the oldest turns go without asking.
  await page.getByTestId('composer').fill(`${QUESTION} (${++sent})`);
  await page.getByTestId('composer').press('Enter');
  await expect(answers).toHaveCount(sent);
  await expect(log).toHaveAttribute('aria-busy', 'false');
  await expect(notice).toBeHidden();
  await expect(answers.last().getByTestId('message-stats')).toContainText(/tok\/s/);

  await page.reload();
  await expect(page.getByTestId('context-divider')).toBeVisible();

  // A message that alone outgrows the window: nothing to let go; a new chat takes it.
  const huge = `${QUESTION} `.repeat(8).trim();
  await page.getByTestId('composer').fill(huge);
  await page.getByTestId('composer').press('Enter');
  await expect(notice).toBeVisible();
  await expect(notice.getByTestId('context-let-go')).toHaveCount(0);
  await notice.getByTestId('context-new-chat').click();
  await expect(page.getByTestId('composer')).toHaveValue(huge);
  await expect(page.locator('[data-testid="message"]')).toHaveCount(0);
});
