/**
 * The whole app in 简体中文, with real content on every page: no visible text, label,
 * placeholder or tooltip may be a string of the English catalog that the Chinese one
 * words differently (a missing or mistyped key shows the English fallback).
 */
import fs from 'node:fs';
import path from 'node:path';
import { furnish } from './fixtures/furnish';
import { ROOT, startHearth, type HearthProcess } from './fixtures/hearth-server';
import { APP_PAGES } from './fixtures/pages';
import { expect, test } from './fixtures/test';

type Catalog = Map<string, string>;

function leaves(value: unknown, prefix: string, into: Catalog): Catalog {
  if (typeof value === 'string') into.set(prefix, value);
  else if (value && typeof value === 'object')
    for (const [key, child] of Object.entries(value))
      leaves(child, prefix ? `${prefix}.${key}` : key, into);
  return into;
}

function catalog(locale: string): Catalog {
  const dir = path.join(ROOT, 'src/lib/i18n', locale);
  const all: Catalog = new Map();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')))
    leaves(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), file.slice(0, -5), all);
  return all;
}

/** English sentences and labels a Chinese page must never show (placeholders aside). */
function englishOnly(): Set<string> {
  const en = catalog('en');
  const zh = catalog('zh-CN');
  return new Set(
    [...en]
      .filter(
        ([key, text]) => zh.get(key) !== text && !text.includes('{') && /[A-Za-z]{3}/.test(text)
      )
      .map(([, text]) => text.trim())
  );
}

let portal: HearthProcess;

test.beforeAll(async () => {
  portal = await startHearth({ HEARTH_AUTH: 'on' });
});

test.afterAll(async () => {
  await portal?.stop();
});

test('every page in Chinese shows no English from the catalog', async ({ browser }) => {
  test.setTimeout(240_000);
  const context = await browser.newContext({ baseURL: portal.url, locale: 'zh-CN' });
  const page = await context.newPage();
  const chat = await furnish(page);
  const forbidden = englishOnly();
  expect(forbidden.size).toBeGreaterThan(300);

  const found: string[] = [];
  for (const route of APP_PAGES) {
    await page.goto(route === '/' ? chat : route);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    const shown = await page.evaluate(() => {
      const texts: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const parent = walker.currentNode.parentElement;
        const text = walker.currentNode.textContent?.trim();
        if (text && parent?.checkVisibility()) texts.push(text);
      }
      for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]'))
        for (const name of ['placeholder', 'aria-label', 'title']) {
          const text = el.getAttribute(name)?.trim();
          if (text) texts.push(text);
        }
      return texts;
    });
    for (const text of new Set(shown)) if (forbidden.has(text)) found.push(`${route}: "${text}"`);
  }
  expect(found).toEqual([]);
  await context.close();
});
