/**
 * /api/generate, /api/chat, /api/embed(dings), /api/ps against real inference on
 * stories260K, with each runner: node-llama-cpp in-process, and llama.cpp's llama-server
 * (built by the global setup; skipped only where it cannot be built). Only the model store
 * is a fake (a name → the shared GGUF file).
 */
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNdjson } from '#protocol/stream';
import type { GenerateResponse } from '#protocol/ollama/types';
import { postJson as post } from './fixtures';
import { runnersUnderTest, startInferenceApp, type InferenceApp } from './inference-app';

const RUNNERS = runnersUnderTest();

describe.each(RUNNERS)('Ollama inference endpoints ($runner)', ({ env }) => {
  let server: InferenceApp;
  let ollama: Ollama;
  beforeAll(async () => {
    server = await startInferenceApp(env);
    ollama = new Ollama({ host: server.url });
  });
  afterAll(async () => server?.close());

  const greedy = { temperature: 0, num_predict: 24 };

  it('generates the known greedy continuation; streamed and whole answers agree', async () => {
    const whole = await ollama.generate({
      model: 'stories',
      prompt: 'Once upon a time',
      options: greedy,
      stream: false
    });
    expect('Once upon a time' + whole.response).toMatch(
      /^Once upon a time, there was a little girl named Lily\./
    );
    expect(whole.done_reason).toBe('length');
    expect(whole.eval_count).toBe(24);
    expect(whole.prompt_eval_count).toBeGreaterThan(0);
    expect(whole.total_duration).toBeGreaterThan(0);

    const response = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: 'Once upon a time',
      options: greedy
    });
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const chunks: GenerateResponse[] = [];
    for await (const chunk of parseNdjson<GenerateResponse>(response.body!)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.slice(0, -1).every((c) => !c.done)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last).toMatchObject({ done: true, done_reason: 'length', eval_count: 24 });
    expect(chunks.map((c) => c.response).join('')).toBe(whole.response);
    expect(last.context?.length).toBe(last.prompt_eval_count! + 24);
  });

  it('continues from a returned context', async () => {
    const first = await ollama.generate({
      model: 'stories',
      prompt: 'Once upon a time',
      options: greedy,
      stream: false
    });
    const next = await ollama.generate({
      model: 'stories',
      prompt: ' She',
      context: first.context,
      options: greedy,
      stream: false
    });
    expect(next.prompt_eval_count).toBeGreaterThan(first.context!.length);
    expect(next.context!.slice(0, first.context!.length)).toEqual(first.context);
  });

  it('is reproducible with a seed at temperature 0.8 and varies across seeds', async () => {
    const run = (seed: number) =>
      ollama.generate({
        model: 'stories',
        prompt: 'Once upon a time',
        stream: false,
        options: { temperature: 0.8, seed, num_predict: 48 }
      });
    const a = await run(42);
    const b = await run(42);
    expect(b.response).toBe(a.response);
    const others = await Promise.all([run(7), run(1234)]);
    expect(others.some((o) => o.response !== a.response)).toBe(true);
  });

  it('cuts at a stop sequence with done_reason "stop"', async () => {
    const out = await ollama.generate({
      model: 'stories',
      prompt: 'Once upon a time',
      stream: false,
      options: { temperature: 0, num_predict: 64, stop: ['Lily'] }
    });
    expect(out.response).toBe(', there was a little girl named ');
    expect(out.done_reason).toBe('stop');
  });

  it('chats: with no template the user message is the prompt', async () => {
    const out = await ollama.chat({
      model: 'stories',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      options: greedy,
      stream: false
    });
    expect(out.message.role).toBe('assistant');
    expect(out.message.content).toMatch(/^, there was a little girl named Lily\./);
    expect(out.done_reason).toBe('length');
  });

  it('constrains output with format: a JSON schema and "json"', async () => {
    const schema = {
      type: 'object',
      properties: { happy: { type: 'boolean' } },
      required: ['happy']
    };
    const out = await ollama.generate({
      model: 'stories',
      prompt: 'Once upon a time',
      format: schema,
      stream: false,
      options: { temperature: 0, num_predict: 32 }
    });
    expect(typeof JSON.parse(out.response ?? '').happy).toBe('boolean');
    const chat = await ollama.chat({
      model: 'stories',
      messages: [{ role: 'user', content: 'Lily said' }],
      format: 'json',
      stream: false,
      options: { temperature: 0, num_predict: 64 }
    });
    // 64 tokens are too few for this model to close its object; the grammar still keeps
    // every prefix valid, so one of these endings completes it.
    const endings = ['', '}', '"}', ': null}', '": null}', 'null}', '"k": null}', '": 1}'];
    const completes = endings.some((end) => {
      try {
        JSON.parse(chat.message.content + end);
        return true;
      } catch {
        return false;
      }
    });
    expect(chat.message.content.trimStart().startsWith('{')).toBe(true);
    expect(completes).toBe(true);
  });

  it('embeds strings and arrays (64 dimensions, unit length)', async () => {
    const one = await ollama.embed({ model: 'stories', input: 'Lily has a ball' });
    expect(one.embeddings).toHaveLength(1);
    expect(one.embeddings[0]).toHaveLength(64);
    const norm = Math.hypot(...one.embeddings[0]);
    expect(norm).toBeCloseTo(1, 5);
    const many = await ollama.embed({ model: 'stories', input: ['a cat', 'a dog', 'a cat'] });
    expect(many.embeddings).toHaveLength(3);
    expect(many.embeddings[2]).toEqual(many.embeddings[0]);
    expect(many.embeddings[1]).not.toEqual(many.embeddings[0]);
    const legacy = await ollama.embeddings({ model: 'stories', prompt: 'Lily has a ball' });
    expect(legacy.embedding).toHaveLength(64);
  });

  it('loads on an empty prompt and unloads with keep_alive 0', async () => {
    const load = await (await post(`${server.url}/api/generate`, { model: 'stories' })).json();
    expect(load).toMatchObject({ done: true, done_reason: 'load', response: '' });
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['stories:latest']);
    const ps = (await ollama.ps()).models[0];
    expect(ps).toMatchObject({ size_vram: 0, context_length: 512, digest: 'f'.repeat(64) });
    expect(Date.parse(ps.expires_at as unknown as string)).toBeGreaterThan(Date.now());

    const unload = await (
      await post(`${server.url}/api/chat`, { model: 'stories', messages: [], keep_alive: 0 })
    ).json();
    expect(unload).toMatchObject({ done: true, done_reason: 'unload' });
    expect((await ollama.ps()).models).toEqual([]);

    await ollama.generate({
      model: 'stories',
      prompt: 'Once',
      keep_alive: 0,
      options: { num_predict: 2 }
    });
    expect((await ollama.ps()).models).toEqual([]);
  });

  it('keeps a model forever with a negative keep_alive', async () => {
    await post(`${server.url}/api/generate`, { model: 'stories', keep_alive: -1 });
    const ps = (await ollama.ps()).models[0];
    expect(new Date(ps.expires_at).getFullYear()).toBeGreaterThan(2200);
  });

  it('answers bad requests with clear errors', async () => {
    const malformed = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": "stories", "prompt": '
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toBeTruthy();

    const missing = await post(`${server.url}/api/chat`, { messages: [] });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'model is required' });

    const unknown = await post(`${server.url}/api/generate`, { model: 'nope', prompt: 'hi' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: "model 'nope' not found",
      code: 'model_not_found',
      params: { model: 'nope' }
    });

    const badOption = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: 'x',
      options: { temperature: 'hot' }
    });
    expect(badOption.status).toBe(400);

    const insert = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: 'x',
      suffix: 'y'
    });
    expect(insert.status).toBe(400);
    expect((await insert.json()).error).toMatch(/does not support insert/);
  });
});

describe.each(RUNNERS)('queue limits and cancellation ($runner)', ({ env }) => {
  let server: InferenceApp;
  beforeAll(async () => {
    server = await startInferenceApp({ ...env, OLLAMA_MAX_QUEUE: '1', OLLAMA_NUM_PARALLEL: '1' });
    await post(`${server.url}/api/generate`, { model: 'stories' });
  });
  afterAll(async () => server?.close());

  it('refuses the third concurrent request with 503 when one runs and one waits', async () => {
    const body = {
      model: 'stories',
      prompt: 'Once upon a time',
      stream: false,
      options: { num_predict: 64 }
    };
    const responses = await Promise.all(
      [0, 1, 2].map(() => post(`${server.url}/api/generate`, body))
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503]);
    const refused = responses.find((r) => r.status === 503)!;
    expect(await refused.json()).toEqual({
      error: 'server busy, please try again.  maximum pending requests exceeded',
      code: 'server_busy'
    });
  });

  it('frees the slot at once when a streaming client disconnects', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'stories',
        prompt: 'Once upon a time',
        options: { num_predict: 100_000 }
      }),
      signal: controller.signal
    });
    const reader = response.body!.getReader();
    await reader.read();
    expect(server.scheduler.stats().activeStreams).toBe(1);
    controller.abort();
    await expect.poll(() => server.scheduler.stats().activeStreams, { timeout: 5000 }).toBe(0);
    const next = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: 'Once',
      stream: false,
      options: { num_predict: 4 }
    });
    expect(next.status).toBe(200);
    expect((await next.json()).eval_count).toBe(4);
  });
});
