import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logCapture,
  startMonitoredServer,
  userFromHeader,
  type MonitoredServer
} from './monitoring-app';
import { createModelFrom } from './fixtures';
import { MAX_ERROR_MESSAGE } from '../../server/errors';
import { MAX_LOG_ITEMS, MAX_LOG_LINE, MAX_LOG_STRING } from '../../server/monitoring/log-bounds';

const SECRETS = {
  bearer: 'sk-hearth-bearer-secret-4242',
  cookie: 'session-cookie-secret-4242',
  password: 'hunter2-password-secret-4242',
  queryKey: 'query-key-secret-4242',
  prompt: 'PROMPT-SECRET-4242',
  message: 'MESSAGE-SECRET-4242'
};

async function sendSecretRequests(url: string): Promise<void> {
  const headers = {
    authorization: `Bearer ${SECRETS.bearer}`,
    cookie: `hearth_session=${SECRETS.cookie}`
  };
  const generate = await fetch(`${url}/api/generate`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: 'stories',
      prompt: `Once upon a time ${SECRETS.prompt}`,
      stream: false,
      options: { temperature: 0, num_predict: 4 }
    })
  });
  expect(generate.status).toBe(200);
  const chat = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: 'no-such-model',
      messages: [{ role: 'user', content: SECRETS.message }]
    })
  });
  expect(chat.status).toBe(404);
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ username: 'alice', password: SECRETS.password })
  });
  expect(login.status).toBe(401);
  expect((await fetch(`${url}/api/tags?key=${SECRETS.queryKey}`, { headers })).status).toBe(200);
}

function expectNoSecrets(text: string, except: string[] = []): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (except.includes(name)) continue;
    expect(text, `${name} leaked into the log`).not.toContain(secret);
  }
}

describe('request logs', () => {
  const capture = logCapture();
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer({
      logStream: capture.stream,
      beforeRoutes(app) {
        // Stand-in for the auth layer, which sets request.user once a request signs in.
        userFromHeader(app, 'x-test-user', () => ({ id: 'user-7', role: 'user' }));
      }
    });
    await createModelFrom(server.url, 'stories');
    await sendSecretRequests(server.url);
  });
  afterAll(() => server.close());

  it('writes one JSON line per request with route, status, timing, model and tokens', () => {
    const access = capture.lines().filter((line) => line.msg === 'request');
    const generate = access.find((line) => line.route === '/api/generate');
    expect(generate).toMatchObject({
      method: 'POST',
      path: '/api/generate',
      status: 200,
      model: 'stories:latest',
      eval_tokens: 4,
      service: 'hearth'
    });
    expect(generate!.prompt_tokens).toBeGreaterThan(0);
    expect(typeof generate!.duration_ms).toBe('number');
    expect(typeof generate!.reqId).toBe('string');
    expect(access.find((line) => line.route === '/api/chat')).toMatchObject({
      status: 404,
      model: 'no-such-model'
    });
    expect(access.find((line) => line.path === '/api/auth/login')).toMatchObject({
      route: '/api/auth/login',
      status: 401
    });
    // Fastify's own "incoming request"/"request completed" pair is replaced by our line.
    expect(capture.lines().filter((line) => line.msg === 'request completed')).toHaveLength(0);
  });

  it('never logs keys, cookies, passwords, query keys, prompts or messages', () => {
    expect(capture.text()).toContain('/api/tags');
    expectNoSecrets(capture.text());
  });

  it('logs the user id when the auth layer has set one', async () => {
    await fetch(`${server.url}/api/version`, { headers: { 'x-test-user': '1' } });
    const line = capture.lines().findLast((l) => l.route === '/api/version');
    expect(line).toMatchObject({ user: 'user-7', status: 200 });
  });

  it('redacts secrets even when code logs a request or body by mistake', () => {
    server.app.log.warn(
      {
        headers: { authorization: `Bearer ${SECRETS.bearer}`, cookie: SECRETS.cookie },
        body: { password: SECRETS.password, prompt: SECRETS.prompt, messages: [SECRETS.message] }
      },
      'careless log call'
    );
    const line = capture.lines().findLast((l) => l.msg === 'careless log call');
    expect(line).toBeDefined();
    expectNoSecrets(capture.text());
  });
});

describe('request logs with HEARTH_LOG_PROMPTS=1', () => {
  const capture = logCapture();
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer({
      env: { HEARTH_LOG_PROMPTS: '1' },
      monitoring: { logPrompts: true },
      logStream: capture.stream
    });
    await createModelFrom(server.url, 'stories');
    await sendSecretRequests(server.url);
  });
  afterAll(() => server.close());

  it('adds prompts and messages but still no credentials', () => {
    const text = capture.text();
    expect(text).toContain(SECRETS.prompt);
    expect(text).toContain(SECRETS.message);
    expectNoSecrets(text, ['prompt', 'message']);
  });
});

describe('log line sizes', () => {
  const capture = logCapture();
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer({ logStream: capture.stream });
  });
  afterAll(() => server.close());

  it('bounds what a 10 MB model name puts into the error and the log', async () => {
    const name = 'm'.repeat(10 * 1024 * 1024);
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'hi' }] })
    });
    expect([400, 404]).toContain(res.status);
    const text = await res.text();
    expect(text.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE + 32);

    const access = capture.lines().find((line) => line.route === '/api/chat');
    expect(access).toMatchObject({ status: res.status });
    expect(String(access!.model).length).toBeLessThanOrEqual(MAX_LOG_STRING);
    for (const line of capture.text().split('\n'))
      expect(line.length).toBeLessThanOrEqual(MAX_LOG_LINE);
  });

  it('bounds each field, the message, errors and the whole line of any log call', () => {
    const wide = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(3000)])
    );
    const error = new Error('e'.repeat(100_000));
    server.app.log.warn({ wide, err: error, list: Array(10_000).fill(1) }, 'M'.repeat(100_000));
    server.app.log.warn({ one: 'x'.repeat(100_000) }, 'one big field');

    const lines = capture.text().trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(MAX_LOG_LINE);
    const huge = capture.lines().find((line) => String(line.msg ?? '').startsWith('MMM'));
    // Over the line cap: the short fields stay and the line says what it lost.
    expect(huge).toMatchObject({ level: 'warn', truncated: { dropped: ['wide', 'err'] } });
    expect(huge!.list).toHaveLength(MAX_LOG_ITEMS + 1);
    const one = capture.lines().find((line) => line.msg === 'one big field');
    expect(String(one!.one)).toMatch(/^x+…\[\d+ more chars\]$/);
    expect(String(one!.one).length).toBe(MAX_LOG_STRING);
  });
});
