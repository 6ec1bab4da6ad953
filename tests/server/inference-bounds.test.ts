/**
 * Bounds a client cannot lift and inputs that must come back as 4xx, on every inference
 * route, against real stories260K inference (trained context 512). The model store is the
 * stories stand-in; "stories-small" is the same file with a Modelfile `num_ctx 16`, the
 * only way to give /v1 requests a small context.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILL_CONTEXT, tokenLimit } from '../../server/runtime/sampling';
import type { ModelStore } from '../../server/store/model-store';
import { postJson as post, storiesStore } from './fixtures';
import { runnersUnderTest, startInferenceApp, type InferenceApp } from './inference-app';

const TRAINED = 512;
const SMALL = 16;

function storeWithSmallContext(): ModelStore {
  const base = storiesStore();
  return {
    ...base,
    async resolve(name) {
      const resolved = await base.resolve(name);
      return name.startsWith('stories-small')
        ? { ...resolved, parameters: { ...resolved.parameters, num_ctx: SMALL } }
        : resolved;
    }
  };
}

describe('tokenLimit', () => {
  it('caps open-ended and oversized num_predict at 10 × num_ctx', () => {
    for (const n of [undefined, -1, -7, 2 ** 31, 5121])
      expect(tokenLimit({ num_predict: n }, TRAINED, 5)).toBe(10 * TRAINED);
    expect(tokenLimit({ num_predict: 5120 }, TRAINED, 5)).toBe(5120);
    expect(tokenLimit({ num_predict: 0 }, TRAINED, 5)).toBe(0);
  });

  it('fills what the prompt left of the context with -2', () => {
    expect(tokenLimit({ num_predict: FILL_CONTEXT }, TRAINED, 12)).toBe(TRAINED - 12);
    expect(tokenLimit({ num_predict: FILL_CONTEXT }, TRAINED, TRAINED)).toBe(0);
  });
});

describe.each(runnersUnderTest())('bounded generation ($runner)', ({ env }) => {
  let server: InferenceApp;
  beforeAll(async () => {
    server = await startInferenceApp(env, storeWithSmallContext());
  });
  afterAll(async () => server?.close());

  const prompt = 'Once upon a time';

  it('ends /api/generate at 10 × num_ctx for num_predict 2^31, -1, null and absent', async () => {
    for (const num_predict of [2 ** 31, -1, null, undefined]) {
      const response = await post(`${server.url}/api/generate`, {
        model: 'stories',
        prompt,
        stream: false,
        options: { num_ctx: SMALL, temperature: 0, num_predict }
      });
      expect(response.status).toBe(200);
      const answer = await response.json();
      expect(answer.done_reason).toBe('length');
      expect(answer.eval_count).toBeLessThanOrEqual(10 * SMALL);
      expect(answer.eval_count).toBeGreaterThan(0);
    }
  });

  it('ends a streamed /api/chat at the cap with done_reason "length"', async () => {
    const response = await post(`${server.url}/api/chat`, {
      model: 'stories',
      messages: [{ role: 'user', content: prompt }],
      options: { num_ctx: SMALL, temperature: 0, num_predict: -1 }
    });
    const lines = (await response.text()).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!);
    expect(last).toMatchObject({ done: true, done_reason: 'length' });
    expect(last.eval_count).toBeLessThanOrEqual(10 * SMALL);
  });

  it('ends /v1 completions at the cap: no limit, null, 2^31, max_completion_tokens', async () => {
    const limits = [
      {},
      { max_tokens: null },
      { max_tokens: 2 ** 31 },
      { max_completion_tokens: 2 ** 31 }
    ];
    for (const limit of limits) {
      const response = await post(`${server.url}/v1/chat/completions`, {
        model: 'stories-small',
        messages: [{ role: 'user', content: prompt }],
        temperature: 0,
        ...limit
      });
      expect(response.status).toBe(200);
      const answer = await response.json();
      expect(answer.choices[0].finish_reason).toBe('length');
      expect(answer.usage.completion_tokens).toBeLessThanOrEqual(10 * SMALL);
    }
    const completion = await post(`${server.url}/v1/completions`, {
      model: 'stories-small',
      prompt,
      temperature: 0,
      max_tokens: null
    });
    const answer = await completion.json();
    expect(answer.choices[0].finish_reason).toBe('length');
    expect(answer.usage.completion_tokens).toBeLessThanOrEqual(10 * SMALL);
  });

  it('clamps num_ctx to the training context: -2 fills exactly 512 tokens', async () => {
    const answer = await (
      await post(`${server.url}/api/generate`, {
        model: 'stories',
        prompt,
        stream: false,
        options: { num_ctx: 100_000, temperature: 0, num_predict: FILL_CONTEXT }
      })
    ).json();
    expect(answer.done_reason).toBe('length');
    expect(answer.prompt_eval_count + answer.eval_count).toBe(TRAINED);
    const ps = await (await fetch(`${server.url}/api/ps`)).json();
    const loaded = ps.models.find((m: { name: string }) => m.name === 'stories:latest');
    expect(loaded.context_length).toBe(TRAINED);

    // Another num_ctx past the training context is the same context: no reload.
    const again = await (
      await post(`${server.url}/api/generate`, {
        model: 'stories',
        prompt,
        stream: false,
        options: { num_ctx: 4096, num_predict: 1 }
      })
    ).json();
    expect(again.load_duration).toBe(0);
  });
});

describe.each(runnersUnderTest())('client mistakes are 4xx ($runner)', ({ env }) => {
  let server: InferenceApp;
  beforeAll(async () => {
    server = await startInferenceApp(env);
  });
  afterAll(async () => server?.close());

  // About 1,800 tokens: far more than stories260K's 512-token context.
  const long = 'Once upon a time there was a cat. '.repeat(200);

  it('refuses context token ids outside the vocabulary with 400 naming the id', async () => {
    const response = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: 'x',
      context: [1, 999999999],
      stream: false,
      options: { num_predict: 2 }
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/context.*999999999.*vocabulary/);
  });

  it('truncates over-long embedding input by default on all three embedding routes', async () => {
    const embed = await post(`${server.url}/api/embed`, { model: 'stories', input: [long, 'a'] });
    expect(embed.status).toBe(200);
    const body = await embed.json();
    expect(body.embeddings).toHaveLength(2);
    expect(body.embeddings[0]).toHaveLength(64);

    const legacy = await post(`${server.url}/api/embeddings`, { model: 'stories', prompt: long });
    expect(legacy.status).toBe(200);
    expect((await legacy.json()).embedding).toHaveLength(64);

    const openai = await post(`${server.url}/v1/embeddings`, { model: 'stories', input: long });
    expect(openai.status).toBe(200);
    const usage = (await openai.json()).usage;
    expect(usage.prompt_tokens).toBeLessThan(TRAINED);
    expect(usage.prompt_tokens).toBeGreaterThan(TRAINED - 4);
  });

  it('refuses over-long embedding input with 400 when truncate is false', async () => {
    const response = await post(`${server.url}/api/embed`, {
      model: 'stories',
      input: ['short', long],
      truncate: false
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'the input length exceeds the context length' });
  });

  it('refuses an over-long chat or generate prompt with 400 when truncate is false, streamed or not', async () => {
    for (const stream of [true, false]) {
      const chat = await post(`${server.url}/api/chat`, {
        model: 'stories',
        messages: [
          { role: 'user', content: long },
          { role: 'assistant', content: 'Yes.' },
          { role: 'user', content: 'And then?' }
        ],
        truncate: false,
        stream,
        options: { num_predict: 2 }
      });
      expect(chat.status).toBe(400);
      expect(await chat.json()).toEqual({ error: 'the input length exceeds the context length' });
    }
    const generate = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: long,
      truncate: false,
      options: { num_predict: 2 }
    });
    expect(generate.status).toBe(400);
    // The same prompt within a larger context, or with truncation left on, is answered.
    const fits = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: 'Once upon a time',
      truncate: false,
      stream: false,
      options: { num_predict: 2 }
    });
    expect(fits.status).toBe(200);
    const cut = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: long,
      stream: false,
      options: { num_predict: 2 }
    });
    expect(cut.status).toBe(200);
    expect((await cut.json()).prompt_eval_count).toBeLessThan(TRAINED);
  });

  it('cuts text no context could hold before tokenizing it (a million emoji once froze the server)', async () => {
    // Byte-fallback text tokenizes slowly on the event loop; whole, this took minutes.
    const emoji = '😀'.repeat(500_000);
    const cut = await post(`${server.url}/api/embed`, { model: 'stories', input: emoji });
    expect(cut.status).toBe(200);
    expect((await cut.json()).embeddings).toHaveLength(1);
    const refused = await post(`${server.url}/api/embed`, {
      model: 'stories',
      input: emoji,
      truncate: false
    });
    expect(refused.status).toBe(400);
  });

  it('answers generate and chat prompts far beyond the context (whole, they tokenized for minutes)', async () => {
    // Only the newest tokens fit; the rest is cut before tokenizing, the rest in pieces.
    const emoji = '😀'.repeat(500_000);
    const options = { num_predict: 1 };
    const generated = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: emoji,
      stream: false,
      options
    });
    expect(generated.status).toBe(200);
    expect((await generated.json()).prompt_eval_count).toBeLessThanOrEqual(TRAINED);
    const chatted = await post(`${server.url}/api/chat`, {
      model: 'stories',
      messages: [
        { role: 'user', content: emoji },
        { role: 'user', content: '中文字符测试'.repeat(100_000) }
      ],
      stream: false,
      options
    });
    expect(chatted.status).toBe(200);
    expect((await chatted.json()).done).toBe(true);
  });

  it('keeps sampling finite: penalties beyond float range with a format once held the slot forever', async () => {
    const json = { type: 'json_schema', json_schema: { schema: { type: 'object' } } };
    const messages = [{ role: 'user', content: 'Once upon a time' }];
    for (const penalty of [{ frequency_penalty: -1e39 }, { presence_penalty: -1e308 }]) {
      const res = await post(`${server.url}/v1/chat/completions`, {
        model: 'stories',
        messages,
        max_tokens: 3,
        response_format: json,
        ...penalty
      });
      expect(res.status).toBe(200);
    }
    for (const repeat_penalty of [0, 1e-308]) {
      const res = await post(`${server.url}/api/chat`, {
        model: 'stories',
        messages,
        format: 'json',
        stream: false,
        options: { num_predict: 3, repeat_penalty }
      });
      expect(res.status).toBe(200);
      expect((await res.json()).done).toBe(true);
    }
  });

  it('refuses a broken request template before loading the model for it', async () => {
    const res = await post(`${server.url}/api/generate`, {
      model: 'stories-unloaded',
      prompt: 'Once',
      template: '{{ .Prompt',
      stream: false
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^template: /);
    const ps = await (await fetch(`${server.url}/api/ps`)).json();
    expect(ps.models.map((m: { name: string }) => m.name)).not.toContain('stories-unloaded:latest');
  });

  it('refuses an empty keep_alive instead of unloading, and survives an enormous one', async () => {
    const empty = await post(`${server.url}/api/generate`, { model: 'stories', keep_alive: '' });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error).toMatch(/keep_alive/);

    const huge = await post(`${server.url}/api/generate`, { model: 'stories', keep_alive: 1e300 });
    expect(huge.status).toBe(200);
    const ps = await fetch(`${server.url}/api/ps`);
    expect(ps.status).toBe(200);
    const expires = (await ps.json()).models[0].expires_at;
    expect(new Date(expires).getFullYear()).toBeGreaterThan(2200);
  });

  it('takes null options as unset', async () => {
    const response = await post(`${server.url}/api/generate`, {
      model: 'stories',
      prompt: 'Once',
      stream: false,
      options: { temperature: null, stop: null, num_predict: 3 }
    });
    expect(response.status).toBe(200);
    expect((await response.json()).eval_count).toBe(3);
  });
});

describe('a full queue', () => {
  let server: InferenceApp;
  beforeAll(async () => {
    server = await startInferenceApp({ OLLAMA_MAX_QUEUE: '1', OLLAMA_NUM_PARALLEL: '1' });
    await post(`${server.url}/api/generate`, { model: 'stories' });
  });
  afterAll(async () => server?.close());

  /**
   * A request on its own connection that the test ends by destroying the socket; fetch's
   * pooled connections would otherwise linger after an abort and hold up server.close().
   */
  function hold(body: object): { firstBytes: Promise<unknown>; destroy(): void } {
    const request = http.request(`${server.url}/api/generate`, { method: 'POST', agent: false });
    request.on('error', () => undefined);
    request.end(JSON.stringify(body));
    const firstBytes = new Promise((resolve) =>
      request.on('response', (response) => response.once('data', resolve))
    );
    return { firstBytes, destroy: () => request.destroy() };
  }

  it('answers 503 with Retry-After on /api and /v1', async () => {
    const long = { model: 'stories', prompt: 'Once upon a time', options: { num_predict: 4000 } };
    // A stream that is not read holds its slot (the server only generates as fast as
    // the client reads), so the next request must wait in the queue.
    const running = hold(long);
    await running.firstBytes;
    const waiting = hold({ ...long, stream: false });
    await expect.poll(() => server.scheduler.stats().queueDepth).toBe(1);

    const refused = await post(`${server.url}/api/generate`, { ...long, stream: false });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()).error).toMatch(/maximum pending requests exceeded/);

    const openai = await post(`${server.url}/v1/chat/completions`, {
      model: 'stories',
      messages: [{ role: 'user', content: 'hi' }]
    });
    expect(openai.status).toBe(503);
    expect(Number(openai.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await openai.json()).error.message).toMatch(/maximum pending requests exceeded/);

    waiting.destroy();
    running.destroy();
    await expect.poll(() => server.scheduler.stats().activeStreams, { timeout: 5000 }).toBe(0);
  });
});
