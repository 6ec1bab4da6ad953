/**
 * The embeddable widget in Chromium, across two real sites on loopback: an intranet page
 * on http://localhost:PORT_A embeds Hearth from http://127.0.0.1:PORT_B (sign-in on)
 * with one script tag and a widget key, and chats with the real stories260K model.
 */
import type { Page } from '@playwright/test';
import { test, expect, GREEDY_CONTINUATION } from './fixtures/test';
import type { HearthProcess } from './fixtures/hearth-server';
import { ADMIN, startWidgetServer, type WidgetServer } from './fixtures/widget-server';
import { hostPolicy, startHostSite, type HostFiles, type HostSite } from './fixtures/host-site';

const PROMPT = 'Once upon a time';
const HOSTILE_CSS = '* { all: unset } div { display: none !important } html { font-size: 40px }';
const XSS_ATTR = '<img src=x onerror="window.__xss=1">';
const XSS_ANSWER =
  'Hi <img src=x onerror="window.__xss=2"> <script>window.__xss=3</script> [click](javascript:window.__xss=4)';

let hearth: HearthProcess;
let site: HostSite;
let otherSite: HostSite;
/** Same site as Hearth (127.0.0.1, another port): the portal's session cookie travels. */
let sameSite: HostSite;
let server: WidgetServer;
let widgetKey: string;
let expectedAnswer: string;
/** What both host sites serve; filled in once their origins are known. */
const files: HostFiles = {};

function page(body: string, lang = 'en', head = ''): { type: string; body: string } {
  return {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Intranet</title>${head}</head><body>${body}</body></html>`
  };
}

const embedTag = (key: string) =>
  `<script src="${hearth.url}/widget.js" data-model="stories" data-key="${key}" async></script>`;

function hostFiles(key: string, staffKey: string): HostFiles {
  const embed = embedTag(key);
  return {
    '/staff.html': page(`<h1>Staff handbook</h1>${embedTag(staffKey)}`),
    '/plain.html': page('<h1>Ward handbook</h1><p>Rounds at nine.</p>'),
    '/embed.html': page(`<h1>Ward handbook</h1><p>Rounds at nine.</p>${embed}`),
    '/hostile.html': page(
      `<h1>Ward handbook</h1><p>Rounds at nine.</p>${embed}`,
      'en',
      '<link rel="stylesheet" href="/hostile.css">'
    ),
    '/hostile.css': { type: 'text/css', body: HOSTILE_CSS },
    '/inline-zh.html': page(
      `<h1>病区手册</h1><hearth-chat id="ask" model="stories" key="${key}" lang="zh-CN" ` +
        `placeholder='${XSS_ATTR}' title='${XSS_ATTR}'></hearth-chat>` +
        `<script src="${hearth.url}/widget.js" async></script>`,
      'zh-CN'
    )
  };
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startWidgetServer();
  hearth = server.hearth;
  const { adminCall, createKey } = server;
  // What the model itself answers, greedily, to the prompt the visitor will type.
  const reference = await adminCall('POST', '/api/chat', {
    model: 'stories',
    messages: [{ role: 'user', content: PROMPT }],
    stream: false
  });
  expectedAnswer = String(reference.message.content).trim();
  expect(expectedAnswer.length).toBeGreaterThan(10);

  const policy = () => hostPolicy(hearth.url);
  // Keys are made once the sites' ports are known, so the pages are filled in after.
  site = await startHostSite('localhost', files, policy());
  otherSite = await startHostSite('127.0.0.2', files, policy());
  sameSite = await startHostSite('127.0.0.1', files, policy());
  widgetKey = (await createKey([site.origin])).key;
  const staffKey = (await createKey([sameSite.origin], { requireSignIn: true })).key;
  Object.assign(files, hostFiles(widgetKey, staffKey));
  await adminCall('POST', '/api/admin/users', { username: 'nurse', password: 'nurse password 1' });
});

test.afterAll(async () => {
  await site?.close();
  await otherSite?.close();
  await sameSite?.close();
  await hearth?.stop();
});

const launcher = (p: Page) => p.getByTestId('hw-launcher');
const panel = (p: Page) => p.getByTestId('hw-panel');
const banner = (p: Page) => p.getByTestId('hw-banner');
const answers = (p: Page) => p.locator('[data-testid="hw-message"][data-role="assistant"]');

async function ask(p: Page, text: string) {
  await p.getByTestId('hw-input').fill(text);
  await p.getByTestId('hw-input').press('Enter');
}

test('the one-line embed loads light, opens on click and chats with stories260K', async ({
  page: p
}) => {
  const fromHearth: string[] = [];
  p.on('request', (r) => {
    if (r.url().startsWith(hearth.url)) fromHearth.push(new URL(r.url()).pathname);
  });
  await p.goto(`${site.origin}/embed.html`);
  await expect(launcher(p)).toBeVisible();
  await expect(launcher(p)).toHaveAttribute('aria-label', 'Chat with the assistant');
  // Before opening, the page has paid for widget.js only.
  expect(fromHearth).toEqual(['/widget.js']);

  await p.evaluate(() => {
    const w = window as unknown as { __messages: unknown[] };
    w.__messages = [];
    window.HearthWidget!.on('message', (m) => w.__messages.push(m));
  });
  await launcher(p).click();
  await expect(panel(p)).toBeVisible();
  await expect(p.getByTestId('hw-input')).toBeFocused();
  expect(fromHearth).toContain('/widget/panel.js');

  await ask(p, PROMPT);
  await expect(answers(p)).toHaveCount(1, { timeout: 60_000 });
  await expect(answers(p).first()).toContainText(expectedAnswer, { timeout: 60_000 });
  await expect(p.getByTestId('hw-send')).toBeVisible();
  await expect(banner(p)).toBeHidden();
  const events = await p.evaluate(
    () => (window as unknown as { __messages: unknown[] }).__messages
  );
  expect(events).toEqual([
    { role: 'user', content: PROMPT },
    { role: 'assistant', content: expect.stringContaining(expectedAnswer) }
  ]);

  // Tab never leaves the open panel; Esc closes it and gives focus back to the launcher.
  for (let i = 0; i < 8; i++) {
    await p.keyboard.press('Tab');
    const inside = await p.evaluate(() => {
      const host = document.querySelector('hearth-chat')!;
      const active = host.shadowRoot!.activeElement;
      return document.activeElement === host && !!active?.closest('[data-testid="hw-panel"]');
    });
    expect(inside, `focus after ${i + 1} Tab presses`).toBe(true);
  }
  await p.keyboard.press('Escape');
  await expect(panel(p)).toBeHidden();
  await expect(launcher(p)).toBeFocused();

  // The conversation stays with this page across a reload; "new chat" forgets it.
  await p.reload();
  await launcher(p).click();
  await expect(answers(p).first()).toContainText(expectedAnswer);
  await p.getByTestId('hw-new').click();
  await expect(p.getByTestId('hw-message')).toHaveCount(0);
  await expect(p.getByTestId('hw-empty')).toBeVisible();
});

test('a key that requires sign-in asks the visitor to sign in, then answers', async ({
  page: p
}) => {
  await p.goto(`${sameSite.origin}/staff.html`);
  await launcher(p).click();
  await expect(banner(p)).toContainText('Sign in to your organisation');
  const link = p.getByTestId('hw-signin');
  await expect(link).toHaveAttribute('href', `${hearth.url}/login`);

  // The visitor signs in to the portal in the tab the link opens, then comes back.
  const [portal] = await Promise.all([p.context().waitForEvent('page'), link.click()]);
  await portal.getByTestId('login-username').fill('nurse');
  await portal.getByTestId('login-password').fill('nurse password 1');
  await portal.getByTestId('login-submit').click();
  await expect(portal.getByTestId('user-menu')).toBeVisible();
  await portal.close();
  await p.bringToFront();
  await p.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(banner(p)).toBeHidden();

  await ask(p, PROMPT);
  await expect(answers(p).first()).toContainText(expectedAnswer, { timeout: 60_000 });
});

// The intranet case: pages on the same site as the portal (wiki.corp.example beside
// hearth.corp.example), where the engine page's storage is the portal's own. A page of
// another site gets storage of its own, or none where the browser blocks third-party
// storage, as this Chromium's fresh contexts do (README: "Put Hearth on your site").
test('engine="browser" answers in the tab, and the next page of the site reuses the weights', async ({
  page: p
}) => {
  const { key } = await server.createKey([sameSite.origin], { browserEngine: true });
  const tag = (extra: string) =>
    `<script src="${hearth.url}/widget.js" data-model="stories" data-key="${key}" ${extra} async></script>`;
  files['/in-tab.html'] = page(`<h1>Ward handbook</h1>${tag('data-engine="browser"')}`);
  files['/in-tab-too.html'] = page(`<h1>Night shift</h1>${tag('data-engine="auto"')}`);
  const asked: string[] = [];
  p.on('request', (r) => {
    if (r.url().startsWith(hearth.url)) asked.push(new URL(r.url()).pathname);
  });
  const inference = () => asked.filter((path) => /\/api\/(chat|generate)|\/v1\//.test(path));
  const blobs = () => asked.filter((path) => path.includes('/blobs/'));

  await p.goto(`${sameSite.origin}/in-tab.html`);
  await launcher(p).click();
  await expect(p.getByTestId('hw-engine')).toContainText('Runs in your browser');
  await expect(p.getByTestId('hw-engine')).toContainText('downloads the model');
  await ask(p, 'Once upon a time');
  await expect(answers(p).first()).toContainText(GREEDY_CONTINUATION, { timeout: 90_000 });
  await expect(p.getByTestId('hw-send')).toBeVisible();
  expect(inference()).toEqual([]);
  expect(blobs().length).toBeGreaterThan(0);

  // Another page of the same site, in the same browser: the cached copy, no download.
  asked.length = 0;
  await p.goto(`${sameSite.origin}/in-tab-too.html`);
  await launcher(p).click();
  await expect(p.getByTestId('hw-engine')).toHaveText(
    'Runs in your browser: what you type stays on this device.'
  );
  await ask(p, 'Once upon a time');
  await expect(answers(p).first()).toContainText(GREEDY_CONTINUATION, { timeout: 90_000 });
  expect(blobs()).toEqual([]);
  expect(inference()).toEqual([]);
});

test('engine="auto" says it answers on the server when the key keeps models there', async ({
  page: p
}) => {
  files['/auto.html'] = page(
    `<script src="${hearth.url}/widget.js" data-model="stories" data-key="${widgetKey}" data-engine="auto" async></script>`
  );
  await p.goto(`${site.origin}/auto.html`);
  await launcher(p).click();
  await expect(p.getByTestId('hw-engine')).toHaveText('Answered by your organisation’s server.');
  await ask(p, PROMPT);
  await expect(answers(p).first()).toContainText(expectedAnswer, { timeout: 60_000 });
});

test('a page whose origin is not on the key gets a clear refusal and no answer', async ({
  page: p
}) => {
  await p.goto(`${otherSite.origin}/embed.html`);
  await launcher(p).click();
  await expect(banner(p)).toHaveText(/not allowed to use the assistant/);
  await expect(p.getByTestId('hw-input')).toBeDisabled();
  await expect(answers(p)).toHaveCount(0);
  // The chat route's preflight is refused for this origin: nothing reaches the model.
  const status = await p.evaluate(
    async ({ url, key }) => {
      try {
        const res = await fetch(`${url}/api/chat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'hi' }] })
        });
        return res.status;
      } catch {
        return 'blocked';
      }
    },
    { url: hearth.url, key: widgetKey }
  );
  expect(status).toBe('blocked');
});

test('a revoked key stops the widget on its next question', async ({ page: p }) => {
  const { key, id } = await server.createKey([site.origin]);
  files['/revoked.html'] = page(embedTag(key));
  await p.goto(`${site.origin}/revoked.html`);
  await launcher(p).click();
  await expect(p.getByTestId('hw-input')).toBeEnabled();
  await server.adminCall('DELETE', `/api/admin/widgets/${id}`);
  await ask(p, PROMPT);
  await expect(banner(p)).toHaveText(/switched off by an administrator/);
  await expect(answers(p)).toHaveCount(0);
  await expect(p.getByTestId('hw-input')).toBeDisabled();
});

test('a widget key cannot list models, pull or administer', async ({ page: p }) => {
  await p.goto(`${site.origin}/plain.html`);
  const results = await p.evaluate(
    async ({ url, key }) => {
      const call = async (method: string, route: string, body?: unknown) => {
        try {
          const res = await fetch(url + route, {
            method,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body)
          });
          return res.status;
        } catch {
          return 0; // refused before reaching the server's handlers
        }
      };
      return [
        await call('GET', '/api/tags'),
        await call('POST', '/api/pull', { model: 'stories' }),
        await call('GET', '/api/admin/users'),
        await call('GET', '/api/admin/widgets')
      ];
    },
    { url: hearth.url, key: widgetKey }
  );
  for (const status of results) expect([401, 403]).toContain(status);
});

async function widgetBoxes(p: Page) {
  await launcher(p).click();
  await expect(panel(p)).toBeVisible();
  await expect(p.getByTestId('hw-input')).toBeEnabled();
  const boxes: Record<string, unknown> = {};
  for (const id of ['hw-launcher', 'hw-panel', 'hw-title', 'hw-input', 'hw-send', 'hw-new']) {
    boxes[id] = await p.getByTestId(id).boundingBox();
  }
  return boxes;
}

test('hostile host CSS does not move the widget, and the widget does not restyle the host', async ({
  browser
}) => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const p = await context.newPage();
  await p.goto(`${site.origin}/plain.html`);
  const hostBefore = await p.locator('h1').evaluate((h) => {
    const s = getComputedStyle(h);
    return {
      font: s.font,
      color: s.color,
      margin: s.margin,
      box: h.getBoundingClientRect().toJSON()
    };
  });
  await p.goto(`${site.origin}/embed.html`);
  const calm = await widgetBoxes(p);
  const hostAfter = await p.locator('h1').evaluate((h) => {
    const s = getComputedStyle(h);
    return {
      font: s.font,
      color: s.color,
      margin: s.margin,
      box: h.getBoundingClientRect().toJSON()
    };
  });
  expect(hostAfter).toEqual(hostBefore);

  await p.goto(`${site.origin}/hostile.html`);
  // The hostile sheet is in force on the page itself.
  await expect(p.locator('h1')).toHaveCSS('font-size', '40px');
  const hostile = await widgetBoxes(p);
  expect(hostile).toEqual(calm);
  await context.close();
});

test('zh-CN labels, and neither host attributes nor answers can run script', async ({
  page: p
}) => {
  await p.addInitScript(
    ({ key, answer }) => {
      // A stored conversation whose "answer" is hostile markup: it renders like any answer.
      localStorage.setItem(
        key,
        JSON.stringify([
          { role: 'user', content: '<b>你好</b>' },
          { role: 'assistant', content: answer }
        ])
      );
    },
    { key: `hearth-widget:${hearth.url}/:stories:/inline-zh.html#ask`, answer: XSS_ANSWER }
  );
  await p.goto(`${site.origin}/inline-zh.html`);
  await expect(p.getByTestId('hw-send')).toHaveText('发送');
  await expect(p.getByTestId('hw-new')).toHaveText('新对话');
  const input = p.getByTestId('hw-input');
  await expect(input).toHaveAttribute('placeholder', XSS_ATTR);
  await expect(p.getByTestId('hw-title')).toContainText(XSS_ATTR);
  const answer = answers(p).first();
  await expect(answer).toContainText('Hi');
  await expect(answer.locator('img, script')).toHaveCount(0);
  await expect(answer.locator('a[href^="javascript"]')).toHaveCount(0);
  await expect(p.locator('[data-testid="hw-message"][data-role="user"]')).toHaveText(
    /<b>你好<\/b>/
  );

  // A fresh conversation, so the model sees the same prompt as the reference answer.
  await p.getByTestId('hw-new').click();
  await ask(p, PROMPT);
  await expect(answers(p)).toHaveCount(1, { timeout: 60_000 });
  await expect(answers(p).first()).toContainText(expectedAnswer, { timeout: 60_000 });
  await p
    .getByTestId('hw-copy')
    .first()
    .click()
    .catch(() => undefined);
  expect(await p.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
});

test('an administrator creates a widget key in /admin, copies its snippet and revokes it', async ({
  browser
}) => {
  const context = await browser.newContext({ baseURL: hearth.url });
  const p = await context.newPage();
  await p.goto('/login');
  await p.getByTestId('login-username').fill(ADMIN.username);
  await p.getByTestId('login-password').fill(ADMIN.password);
  await p.getByTestId('login-submit').click();
  await expect(p.getByTestId('user-menu')).toBeVisible();

  await p.goto('/admin/widgets');
  await p.getByTestId('widget-create-name').fill('Ward wiki');
  await p.getByTestId('widget-create-origins').fill('*.corp.example\nevil');
  await p.getByTestId('widget-create-models').fill('stories');
  await p.getByTestId('widget-create-submit').click();
  await expect(p.getByRole('alert')).toContainText('origins.1');

  await p.getByTestId('widget-create-origins').fill(`*.corp.example\n${site.origin}`);
  await p.getByTestId('widget-create-submit').click();
  const snippet = p.getByTestId('widget-snippet');
  await expect(snippet).toContainText(`<script src="${hearth.url}/widget.js" data-model="stories"`);
  const key = /data-key="(hw_[^"]+)"/.exec((await snippet.textContent()) ?? '')![1];
  const prefix = key.split('_').slice(0, 2).join('_');
  const row = p.locator(`[data-testid="widget-row"][data-prefix="${prefix}"]`);
  await expect(row).toContainText('https://*.corp.example');
  await expect(row).not.toContainText(key);

  // The live preview is the real widget with the new key, answered by the model.
  const preview = p.getByTestId('widget-preview');
  await preview.getByTestId('hw-input').fill(PROMPT);
  await preview.getByTestId('hw-input').press('Enter');
  await expect(
    preview.locator('[data-testid="hw-message"][data-role="assistant"]').first()
  ).toContainText(expectedAnswer, { timeout: 60_000 });

  await row.getByTestId('widget-revoke').click();
  await expect(row).toContainText('Revoked');
  const status = await fetch(`${hearth.url}/api/widget/status?key=${prefix}`, {
    headers: { origin: site.origin }
  });
  expect(await status.json()).toEqual({ state: 'revoked' });
  await context.close();
});
