/**
 * The intranet portal, end to end in Chromium against a real server with sign-in on:
 * first-run admin → a user and a group → one model granted → the user sees only that
 * model, chats with it on the server, downloads its weights from the portal into the
 * browser and chats with them offline.
 */
import type { Browser, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, askModel, GREEDY_CONTINUATION, STORIES_PATH } from './fixtures/test';
import { startHearth, type HearthProcess } from './fixtures/hearth-server';

const STORIES_SHA256 = '7efbb964883be7eb395cea534bf9cf9826781f39a504e9710a00dfc4839579b5';
const ADMIN = { username: 'admin', password: 'admin password 1' };
const NURSE = {
  username: 'li.na',
  displayName: '李娜 <img src=x onerror="window.__xss=1">',
  password: 'nurse password 1'
};

let portal: HearthProcess;

test.beforeAll(async () => {
  portal = await startHearth({ HEARTH_AUTH: 'on' });
});

test.afterAll(async () => {
  await portal?.stop();
});

async function pageAt(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: portal.url });
  return context.newPage();
}

async function signIn(page: Page, who: { username: string; password: string }) {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(who.username);
  await page.getByTestId('login-password').fill(who.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

test('first-run admin grants one model to a group; its member chats on the server and offline', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const admin = await pageAt(browser);

  // First run: any page leads to the setup of the first administrator.
  await admin.goto('/');
  await expect(admin).toHaveURL(/\/setup/);
  await admin.getByTestId('setup-username').fill(ADMIN.username);
  await admin.getByTestId('setup-displayname').fill('IT 管理员');
  await admin.getByTestId('setup-password').fill(ADMIN.password);
  await admin.getByTestId('setup-password2').fill(ADMIN.password);
  await admin.getByTestId('setup-submit').click();
  await expect(admin.getByTestId('nav-admin')).toBeVisible();

  // Upload a GGUF through the admin UI, with progress, as model "stories".
  await admin.goto('/admin/models');
  await admin.getByTestId('model-upload-input').setInputFiles(STORIES_PATH);
  await admin.getByTestId('model-upload-name').fill('stories');
  await admin.getByTestId('model-upload-submit').click();
  await expect(admin.getByTestId('model-upload-done')).toBeVisible({ timeout: 60_000 });
  await expect(
    admin.locator('[data-testid="admin-model-row"][data-name="stories:latest"]')
  ).toBeVisible();

  // A second model the nurse must never see, made through the API with the admin's session.
  const copied = await admin.evaluate(async () => {
    const session = await (await fetch('/api/auth/session')).json();
    const res = await fetch('/api/copy', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
      body: JSON.stringify({ source: 'stories', destination: 'secret-notes' })
    });
    return res.status;
  });
  expect(copied).toBe(200);

  // A user and a group with that user.
  await admin.goto('/admin/users');
  await admin.getByTestId('user-create-username').fill(NURSE.username);
  await admin.getByTestId('user-create-displayname').fill(NURSE.displayName);
  await admin.getByTestId('user-create-password').fill(NURSE.password);
  await admin.getByTestId('user-create-submit').click();
  const nurseRow = admin.locator(`[data-testid="user-row"][data-username="${NURSE.username}"]`);
  await expect(nurseRow).toContainText('李娜 <img');
  await expect(nurseRow.locator('img')).toHaveCount(0);

  await admin.goto('/admin/groups');
  await admin.getByTestId('group-create-name').fill('nurses');
  await admin.getByTestId('group-create-submit').click();
  const group = admin.locator('[data-testid="group-row"][data-name="nurses"]');
  await expect(group).toBeVisible();
  await group.click();
  await admin.locator(`[data-testid="group-member"][data-username="${NURSE.username}"]`).check();
  await admin.getByTestId('group-save').click();

  // Grant "stories" to the group: use on the server and download for the browser.
  await admin.goto('/admin/permissions');
  const cell = admin.locator(
    '[data-testid="perm-cell"][data-subject="group:nurses"][data-pattern="stories:latest"]'
  );
  await cell.getByTestId('perm-use').check();
  await cell.getByTestId('perm-download').check();
  await admin.getByTestId('perm-save').click();
  await expect(admin.getByTestId('perm-saved')).toBeVisible();
  expect(await admin.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  await admin.context().close();

  // The nurse signs in and sees only the granted model.
  const nurse = await pageAt(browser);
  await signIn(nurse, NURSE);
  await expect(nurse.getByTestId('nav-admin')).toHaveCount(0);
  await nurse.goto('/');
  const picker = nurse.getByTestId('model-picker');
  await expect(picker.locator('option[value="server:stories:latest"]')).toHaveCount(1);
  await expect(picker.locator('option[value*="secret-notes"]')).toHaveCount(0);

  // Chat on the server.
  const onServer = await askModel(nurse, 'server:stories:latest', 'Once upon a time');
  await expect(onServer.getByTestId('message-content')).toContainText(GREEDY_CONTINUATION);
  await expect(onServer.getByTestId('message-stats')).toContainText(/server/i);

  // Download the permitted weights from the portal into the browser.
  await nurse.goto('/models');
  const row = nurse.locator(
    '[data-testid="model-row"][data-source="portal"][data-model-id="portal:stories:latest"]'
  );
  await expect(row).toBeVisible();
  await expect(
    nurse.locator('[data-testid="model-row"][data-model-id*="secret-notes"]')
  ).toHaveCount(0);
  await row.getByTestId('model-download').click();
  await expect(row).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });

  // Cut the network: the tab runs the model from IndexedDB, with an engine it never ran
  // online — the service worker keeps the engine files once a ready model is seen.
  await nurse.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await waitForEngineFilesKept(nurse);
  await nurse.reload();
  await expect.poll(() => nurse.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await nurse.context().setOffline(true);
  await nurse.reload();
  const inTab = await askModel(nurse, 'portal:stories:latest', 'Once upon a time');
  await expect(inTab.getByTestId('message-content')).toContainText(GREEDY_CONTINUATION);
  await expect(inTab.getByTestId('message-stats')).toContainText(/WASM/i);
  await nurse.context().close();
});

test('the portal refuses the API without credentials', async () => {
  for (const route of ['/api/tags', '/v1/models', '/api/portal/weights', '/api/status']) {
    const res = await fetch(portal.url + route);
    expect(res.status, route).toBe(401);
  }
  const digest = await fetch(`${portal.url}/v2/library/stories/blobs/sha256:${STORIES_SHA256}`);
  expect(digest.status).toBe(401);
});

test('a server reachable from the network asks the first admin for its setup token', async ({
  browser
}) => {
  const guarded = await startHearth({ HEARTH_AUTH: 'on', HEARTH_SETUP_TOKEN: 'console-token-42' });
  try {
    const context = await browser.newContext({ baseURL: guarded.url });
    const page = await context.newPage();
    await page.goto('/setup');
    await page.getByTestId('setup-username').fill(ADMIN.username);
    await page.getByTestId('setup-password').fill(ADMIN.password);
    await page.getByTestId('setup-password2').fill(ADMIN.password);
    await page.getByTestId('setup-token').fill('a guess');
    await page.getByTestId('setup-submit').click();
    await expect(page.getByRole('alert')).toContainText(/setup token/);
    await page.getByTestId('setup-token').fill('console-token-42');
    await page.getByTestId('setup-submit').click();
    await expect(page.getByTestId('nav-admin')).toBeVisible();
    await context.close();
  } finally {
    await guarded.stop();
  }
});

/** The build's llama.cpp engine files (wasm, glue, pthread script), as the app serves them. */
const ENGINE_FILES = fs
  .readdirSync(path.resolve(import.meta.dirname, '../../build/_app/immutable/assets'))
  .filter((name) => /^wllama.*\.(wasm|js)$/.test(name));

async function waitForEngineFilesKept(page: Page): Promise<void> {
  expect(ENGINE_FILES.length).toBeGreaterThan(0);
  await expect
    .poll(
      () =>
        page.evaluate(async (names) => {
          const kept = new Set<string>();
          for (const key of await caches.keys())
            for (const request of await (await caches.open(key)).keys())
              kept.add(new URL(request.url).pathname.split('/').pop()!);
          return names.filter((name) => !kept.has(name));
        }, ENGINE_FILES),
      { timeout: 60_000 }
    )
    .toEqual([]);
}
