/**
 * Every page, on a desktop and on a phone, with real content in it (a model, a chat
 * with an answer, a user, a group, a grant, a widget key, audit entries): no page may
 * scroll sideways at phone widths, and axe-core finds no critical or serious WCAG 2.x
 * A/AA violation. Counts of the lesser ones are printed, not asserted.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { APP_PAGES } from './fixtures/pages';
import { startHearth, type HearthProcess } from './fixtures/hearth-server';
import { ADMIN, furnish } from './fixtures/furnish';
import { GREEDY_CONTINUATION, expect, test } from './fixtures/test';

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 360, height: 740 },
  { name: 'large phone', width: 430, height: 932 }
];

const PAGES = APP_PAGES;

let portal: HearthProcess;

test.beforeAll(async () => {
  portal = await startHearth({ HEARTH_AUTH: 'on' });
});

test.afterAll(async () => {
  await portal?.stop();
});

async function newPage(browser: Browser, locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ baseURL: portal.url, locale });
  return context.newPage();
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The outermost elements that reach past the right edge, to say what to fix. */
async function widestElements(page: Page): Promise<string> {
  return page.evaluate(() => {
    const name = (el: Element) =>
      el.tagName.toLowerCase() +
      (el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : '') +
      (el.classList.length
        ? `.${[...el.classList].filter((c) => !c.startsWith('svelte-')).join('.')}`
        : '');
    const over = [...document.body.querySelectorAll('*')].filter(
      (el) => el.getBoundingClientRect().right > window.innerWidth + 0.5
    );
    return over
      .filter((el) => !over.includes(el.parentElement as Element))
      .slice(0, 4)
      .map((el) => `${name(el)} (${Math.round(el.getBoundingClientRect().right)}px)`)
      .join(', ');
  });
}

test('every page fits a phone without sideways scrolling and has no serious accessibility violation', async ({
  browser
}) => {
  test.setTimeout(300_000);
  const admin = await newPage(browser);
  const chat = await furnish(admin);

  const failures: string[] = [];
  const counts: string[] = [];
  for (const viewport of VIEWPORTS) {
    await admin.setViewportSize({ width: viewport.width, height: viewport.height });
    for (const path of PAGES) {
      await admin.goto(path === '/' ? chat : path);
      await admin.waitForLoadState('networkidle');
      if (path === '/')
        await expect(admin.locator('[data-testid="message"][data-role="assistant"]')).toContainText(
          GREEDY_CONTINUATION
        );
      if (viewport.width < 500) {
        const overflow = await horizontalOverflow(admin);
        if (overflow > 0)
          failures.push(
            `${viewport.name} ${path}: ${overflow}px too wide: ${await widestElements(admin)}`
          );
      }
      const { violations } = await new AxeBuilder({ page: admin })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      const byImpact = (impact: string) => violations.filter((v) => v.impact === impact);
      for (const v of [...byImpact('critical'), ...byImpact('serious')])
        failures.push(
          `${viewport.name} ${path}: ${v.impact} ${v.id} ×${v.nodes.length} (${v.nodes
            .slice(0, 2)
            .map((n) => n.target.join(' '))
            .join(', ')})`
        );
      counts.push(
        `${viewport.name} ${path}: ${violations.map((v) => `${v.impact} ${v.id}×${v.nodes.length}`).join(', ') || 'none'}`
      );
    }
  }
  console.log(`axe, every violation by page:\n  ${counts.join('\n  ')}`);
  expect(failures).toEqual([]);
  await admin.context().close();
});

test('the setup and sign-in pages fit a phone, in English and in Chinese, refusals included', async ({
  browser
}) => {
  const fresh = await startHearth({ HEARTH_AUTH: 'on' });
  try {
    for (const locale of ['en-US', 'zh-CN']) {
      const context = await browser.newContext({
        baseURL: fresh.url,
        locale,
        viewport: { width: 360, height: 740 }
      });
      const visitor = await context.newPage();
      const signedOut = locale === 'en-US' ? '/setup' : '/login';
      await visitor.goto(signedOut);
      await expect(visitor).toHaveURL(new RegExp(signedOut));
      await expect(visitor.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await horizontalOverflow(visitor), `${locale} ${signedOut}`).toBeLessThanOrEqual(0);
      const { violations } = await new AxeBuilder({ page: visitor })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      expect(
        violations
          .filter((v) => v.impact === 'critical' || v.impact === 'serious')
          .map((v) => `${locale} ${signedOut}: ${v.id}`)
      ).toEqual([]);
      if (signedOut === '/setup') {
        await visitor.getByTestId('setup-username').fill(ADMIN.username);
        await visitor.getByTestId('setup-password').fill(ADMIN.password);
        await visitor.getByTestId('setup-password2').fill(ADMIN.password);
        await visitor.getByTestId('setup-submit').click();
        await expect(visitor.getByTestId('user-menu')).toBeVisible();
      } else {
        // The server's refusal reads in the page's language, from its code.
        await visitor.getByTestId('login-username').fill(ADMIN.username);
        await visitor.getByTestId('login-password').fill('not the password');
        await visitor.getByTestId('login-submit').click();
        await expect(visitor.getByTestId('login-error')).toHaveText('用户名或密码错误。');
      }
      await context.close();
    }
  } finally {
    await fresh.stop();
  }
});

test('keyboard: the composer is ready to type on arrival, and the first Tab stop skips to the content', async ({
  page
}) => {
  await page.goto('/');
  await expect(page.getByTestId('composer')).toBeFocused();

  await page.goto('/models');
  await expect(page.getByRole('heading', { level: 1, name: 'Models' })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('the conversation settings stay closed once closed, and start closed below 1280 px', async ({
  page,
  browser
}) => {
  const preset = page.getByTestId('preset');
  const toggle = page.getByRole('button', { name: 'Conversation settings' });
  await page.goto('/');
  await expect(preset).toBeVisible();
  await toggle.click();
  await expect(preset).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('composer')).toBeFocused();
  await expect(preset).toHaveCount(0);
  await toggle.click();
  await expect(preset).toBeVisible();

  const narrow = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  await narrow.goto(page.url());
  await expect(narrow.getByTestId('composer')).toBeVisible();
  await expect(narrow.getByTestId('preset')).toHaveCount(0);
  await narrow.close();
});
