import fs from 'node:fs';
import { test, expect } from './fixtures/test';

const sample = {
  format: 'hearth-conversations',
  version: 1,
  exportedAt: new Date(0).toISOString(),
  conversations: [
    {
      id: 'c-1',
      title: '会议纪要 notes',
      createdAt: 1,
      updatedAt: 2,
      modelId: null,
      systemPrompt: 'Be brief.',
      options: { temperature: 0.7 },
      messages: [
        {
          id: 'm-1',
          conversationId: 'c-1',
          role: 'user',
          content: 'Hello <img src=x onerror=alert(1)>',
          createdAt: 1,
          seq: 0
        },
        {
          id: 'm-2',
          conversationId: 'c-1',
          role: 'assistant',
          content: '**Hi** there',
          createdAt: 2,
          seq: 1
        }
      ]
    }
  ]
};

test('conversations export → wipe → import round trip; a malformed file changes nothing', async ({
  page
}, testInfo) => {
  const input = testInfo.outputPath('sample.json');
  fs.writeFileSync(input, JSON.stringify(sample));
  await page.goto('/');
  await page.getByTestId('import-conversations').setInputFiles(input);
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await expect(page.getByTestId('conversation-item')).toContainText('会议纪要');

  const download = page.waitForEvent('download');
  await page.getByTestId('export-conversations').click();
  const exported = testInfo.outputPath('exported.json');
  await (await download).saveAs(exported);
  const data = JSON.parse(fs.readFileSync(exported, 'utf8'));
  expect(data.conversations).toHaveLength(1);
  expect(data.conversations[0].messages.map((m: { content: string }) => m.content)).toEqual([
    'Hello <img src=x onerror=alert(1)>',
    '**Hi** there'
  ]);

  // Wipe through the UI, then import what was exported.
  await page.getByTestId('conversation-item').first().click();
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('delete-conversation').first().click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(0);
  await page.getByTestId('import-conversations').setInputFiles(exported);
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await page.getByTestId('conversation-item').first().click();
  await expect(page.locator('[data-testid="message"][data-role="assistant"] strong')).toHaveText(
    'Hi'
  );
  // The user's HTML is shown as text, never run.
  await expect(page.locator('[data-testid="message"][data-role="user"] img')).toHaveCount(0);

  const bad = testInfo.outputPath('bad.json');
  fs.writeFileSync(
    bad,
    '{"format": "hearth-conversations", "version": 1, "conversations": [{"id": 3}'
  );
  await page.getByTestId('import-conversations').setInputFiles(bad);
  await expect(page.getByTestId('chat-error')).toContainText('the file is not valid JSON');
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);

  // A refusal says its cause in the reader's language.
  const newer = testInfo.outputPath('newer.json');
  fs.writeFileSync(newer, '{"format": "hearth-conversations", "version": 2, "conversations": []}');
  await page.getByTestId('import-conversations').setInputFiles(newer);
  await expect(page.getByTestId('chat-error')).toContainText(
    'the export is version 2; this Hearth reads version 1'
  );
  await page.getByLabel('Language').selectOption('zh-CN');
  await page.getByTestId('import-conversations').setInputFiles(newer);
  await expect(page.getByTestId('chat-error')).toContainText(
    '导出文件版本为 2；此 Hearth 读取版本 1'
  );
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
});
