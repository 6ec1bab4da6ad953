import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sampleValue,
  startMonitoredServer,
  userFromHeader,
  type MonitoredServer
} from './monitoring-app';
import { createModelFrom } from './fixtures';

async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('/metrics with sign-in off', () => {
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer();
    await createModelFrom(server.url, 'stories');
  });
  afterAll(() => server.close());

  it('counts a request under its route pattern and status', async () => {
    const labels = { method: 'GET', route: '/api/version', status: '200' };
    const before = sampleValue(await scrape(server.url), 'hearth_http_requests_total', labels);
    expect((await fetch(`${server.url}/api/version`)).status).toBe(200);
    const after = await scrape(server.url);
    expect(sampleValue(after, 'hearth_http_requests_total', labels)).toBe(before + 1);
    const latency = { method: 'GET', route: '/api/version' };
    expect(sampleValue(after, 'hearth_http_request_duration_seconds_count', latency)).toBe(
      before + 1
    );
  });

  it('labels routes by pattern, never by the URL a client sent', async () => {
    await fetch(`${server.url}/v1/models/secret-model-name-xyz`);
    await fetch(`${server.url}/no/such/path/zzz-unique`);
    const text = await scrape(server.url);
    expect(text).not.toContain('secret-model-name-xyz');
    expect(text).not.toContain('zzz-unique');
    expect(
      sampleValue(text, 'hearth_http_requests_total', { route: '/v1/models/*', status: '404' })
    ).toBe(1);
    expect(sampleValue(text, 'hearth_http_requests_total', { route: 'unmatched' })).toBe(1);
  });

  it('counts prompt and generated tokens of a real generation by model', async () => {
    const model = { model: 'stories:latest' };
    const before = await scrape(server.url);
    const response = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'stories',
        prompt: 'Once upon a time',
        raw: true,
        stream: false,
        options: { temperature: 0, num_predict: 16 }
      })
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      response: string;
      eval_count: number;
      prompt_eval_count: number;
    };
    expect(`Once upon a time${body.response}`).toMatch(/^Once upon a time, there was a little/);
    expect(body.eval_count).toBeGreaterThan(0);

    const after = await scrape(server.url);
    const delta = (name: string) =>
      sampleValue(after, name, model) - sampleValue(before, name, model);
    expect(delta('hearth_generated_tokens_total')).toBe(body.eval_count);
    expect(delta('hearth_prompt_tokens_total')).toBe(body.prompt_eval_count);
    expect(delta('hearth_generation_tokens_per_second_count')).toBe(1);
    expect(sampleValue(after, 'hearth_recent_tokens_per_second', model)).toBeGreaterThan(0);
    // Scheduler gauges are read at scrape time: the model stays loaded (keep_alive 5m).
    expect(sampleValue(after, 'hearth_loaded_models')).toBe(1);
    expect(sampleValue(after, 'hearth_queue_depth')).toBe(0);
    expect(sampleValue(after, 'hearth_active_streams')).toBe(0);
    expect(sampleValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
    // Models run in this process here: no llama-server holds memory.
    expect(sampleValue(after, 'hearth_runner_resident_memory_bytes')).toBe(0);
  });

  it('counts tokens of OpenAI-style streamed completions too', async () => {
    const model = { model: 'stories:latest' };
    const before = sampleValue(await scrape(server.url), 'hearth_generated_tokens_total', model);
    const response = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'stories',
        prompt: 'Once upon a time',
        max_tokens: 5,
        temperature: 0,
        stream: true
      })
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('data: [DONE]');
    const after = sampleValue(await scrape(server.url), 'hearth_generated_tokens_total', model);
    expect(after - before).toBe(5);
  });
});

describe('/metrics with sign-in on', () => {
  const TOKEN = 'metrics-token-for-tests-0123456789';
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer({
      monitoring: { metricsToken: TOKEN },
      // Stand-in for the auth layer: it enables sign-in and sets request.user.
      beforeRoutes(app, ctx) {
        Object.assign(ctx, { access: { enabled: true } });
        userFromHeader(app, 'x-test-role', (role) => ({ id: 'u1', role }));
      }
    });
  });
  afterAll(() => server.close());

  const status = async (headers: Record<string, string>) =>
    (await fetch(`${server.url}/metrics`, { headers })).status;

  it('refuses a scraper without the token', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await response.text()).not.toContain('hearth_http_requests_total');
  });

  it('refuses a wrong token, including one that shares a prefix', async () => {
    expect(await status({ authorization: 'Bearer wrong' })).toBe(401);
    expect(await status({ authorization: `Bearer ${TOKEN.slice(0, -1)}` })).toBe(401);
    expect(await status({ authorization: `Bearer ${TOKEN}x` })).toBe(401);
  });

  it('serves the metrics token and admins, and forbids other users', async () => {
    expect(await status({ authorization: `Bearer ${TOKEN}` })).toBe(200);
    expect(await status({ 'x-test-role': 'admin' })).toBe(200);
    expect(await status({ 'x-test-role': 'user' })).toBe(403);
  });
});
