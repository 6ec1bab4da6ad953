/**
 * The app under its Content-Security-Policy: every page renders with the policy the
 * server sends (the same one SvelteKit wrote into the page, plus frame-ancestors) and no
 * violation; what the policy exists for is really blocked: an injected inline script,
 * and another site framing the app. The cspViolations fixture fails any test on a
 * violation, so the chat, offline and portal specs run under the same check.
 */
import { APP_PAGES, SIGN_IN_PAGES } from './fixtures/pages';
import { test, expect } from './fixtures/test';

const PAGES = [...APP_PAGES, ...SIGN_IN_PAGES];

/** Lets the page finish what it starts on load (its data requests, late renders). */
async function settle(page: import('@playwright/test').Page) {
  await expect(page.locator('header nav')).toBeVisible();
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
}

test('every page renders under the header policy, which is the page policy plus frame-ancestors', async ({
  page
}) => {
  for (const path of PAGES) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    const headers = response!.headers();
    const meta = await page
      .locator('meta[http-equiv="content-security-policy"]')
      .getAttribute('content');
    expect(meta, path).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    expect(headers['content-security-policy'], path).toBe(`${meta}; frame-ancestors 'self'`);
    expect(headers['x-frame-options'], path).toBe('SAMEORIGIN');
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('same-origin');
    // The bootstrap script is inline: the app only renders if its hash let it run.
    await settle(page);
  }
});

test('an injected inline script is blocked and reported', async ({ page, cspViolations }) => {
  await page.goto('/');
  await settle(page);
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.body.append(script);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => cspViolations.join('\n')).toContain('script-src');
  // Provoked on purpose: nothing else may have been reported.
  expect(cspViolations.every((v) => /script-src/.test(v))).toBe(true);
  cspViolations.length = 0;
});

test('another site cannot frame the app; the app can frame itself', async ({ page, baseURL }) => {
  await page.route('http://embedder.test/', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><iframe src="${baseURL}/settings"></iframe>`
    })
  );
  await page.goto('http://embedder.test/');
  // Chromium replaces a frame refused by frame-ancestors with its error page; the refusal
  // is logged in that frame, not reported to the embedder.
  await expect
    .poll(() => page.frames().map((f) => f.url()))
    .toContain('chrome-error://chromewebdata/');
  await expect(page.frameLocator('iframe').locator('header nav')).toHaveCount(0);

  await page.goto('/');
  await settle(page);
  await page.evaluate(() => {
    const frame = document.createElement('iframe');
    frame.src = '/settings';
    document.body.append(frame);
  });
  await expect(page.frameLocator('iframe').locator('header nav')).toBeVisible();
});
