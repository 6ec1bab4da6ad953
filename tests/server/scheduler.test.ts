/**
 * The scheduler with node-llama-cpp's runner: slots, queue, keep_alive, LRU and /api/ps
 * truthfulness on real stories260K loads, one test per behaviour (the scheduling rules in
 * detail are in scheduling.test.ts, with a scripted runner). The store is a fake that
 * maps any "stories*" name to the file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { httpStatusOf, toHttpFailure } from '../../server/http/error-status';
import { ModelScheduler } from '../../server/runtime/model-scheduler';
import type { GenerateEvent, GenerateJob } from '../../server/runtime/scheduler';
import { silentLog, storiesStore } from './fixtures';

const store = storiesStore();

let scheduler: ModelScheduler | undefined;

function make(env: Record<string, string> = {}) {
  const config = loadConfig({ HEARTH_MODELS: '.', HEARTH_THREADS: '1', ...env });
  scheduler = new ModelScheduler(config, store, silentLog);
  return scheduler;
}

afterEach(async () => {
  await scheduler?.close();
  scheduler = undefined;
});

const job = (over: Partial<GenerateJob> = {}): GenerateJob => ({
  model: 'stories',
  input: { kind: 'generate', prompt: 'Once upon a time' },
  options: { temperature: 0, num_predict: 16 },
  signal: new AbortController().signal,
  ...over
});

async function text(events: AsyncGenerator<GenerateEvent>): Promise<string> {
  let out = '';
  for await (const event of events) if (event.type === 'text') out += event.text;
  return out;
}

describe('ModelScheduler', () => {
  it('reports loaded models truthfully in ps()', async () => {
    const s = make();
    const before = Date.now();
    const { loadDurationNs } = await s.load({
      model: 'stories',
      options: { num_ctx: 256 },
      keepAliveMs: 60_000
    });
    expect(loadDurationNs).toBeGreaterThan(0);
    const [ps] = s.ps();
    expect(ps).toMatchObject({
      name: 'stories:latest',
      model: 'stories:latest',
      size: 1_185_472,
      size_vram: 0
    });
    expect(ps.context_length).toBeGreaterThanOrEqual(256);
    expect(ps.context_length).toBeLessThan(512);
    const expires = Date.parse(ps.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 60_000);
    // Loading again costs nothing and reports no load time.
    expect((await s.load({ model: 'stories', options: { num_ctx: 256 } })).loadDurationNs).toBe(0);
  });

  it('unloads when keep_alive runs out', async () => {
    const s = make();
    await s.load({ model: 'stories', keepAliveMs: 150 });
    expect(s.ps()).toHaveLength(1);
    await expect.poll(() => s.ps().length, { timeout: 5000 }).toBe(0);
  });

  it('evicts the least recently used idle model beyond OLLAMA_MAX_LOADED_MODELS', async () => {
    const s = make({ OLLAMA_MAX_LOADED_MODELS: '2' });
    await s.load({ model: 'stories:a' });
    await s.load({ model: 'stories:b' });
    await text(s.generate(job({ model: 'stories:a' })));
    await s.load({ model: 'stories:c' });
    expect(
      s
        .ps()
        .map((m) => m.name)
        .sort()
    ).toEqual(['stories:a', 'stories:c']);
  });

  it('runs parallel slots independently', async () => {
    const s = make({ OLLAMA_NUM_PARALLEL: '2' });
    const alone = await text(s.generate(job()));
    const a = s.generate(job());
    const b = s.generate(job({ input: { kind: 'generate', prompt: 'Lily and Tom' } }));
    const [firstA, firstB] = await Promise.all([a.next(), b.next()]);
    expect(s.stats()).toMatchObject({ activeStreams: 2, queueDepth: 0 });
    const restA = await text(a);
    await text(b);
    expect(firstB.done).toBe(false);
    expect(((firstA.value as GenerateEvent & { type: 'text' }).text ?? '') + restA).toBe(alone);
    expect(s.stats().activeStreams).toBe(0);
  });

  it('queues when slots are busy, and an aborted waiter leaves the queue', async () => {
    const s = make({ OLLAMA_NUM_PARALLEL: '1' });
    const running = s.generate(job({ options: { num_predict: 100_000 } }));
    await running.next();
    const cancel = new AbortController();
    const waiting = s.generate(job({ signal: cancel.signal }));
    const waited = waiting.next();
    await expect.poll(() => s.stats().queueDepth).toBe(1);
    cancel.abort();
    await expect(waited).rejects.toThrow(/canceled/);
    expect(s.stats().queueDepth).toBe(0);
    await running.return(undefined);
    expect(s.stats().activeStreams).toBe(0);
    expect(await text(s.generate(job()))).toMatch(/^, there was/);
  });

  it('stops generating when the request is aborted mid-stream', async () => {
    const s = make();
    const cancel = new AbortController();
    const events = s.generate(job({ signal: cancel.signal, options: { num_predict: 100_000 } }));
    await events.next();
    cancel.abort();
    await expect(text(events)).rejects.toThrow(/canceled/);
    expect(s.stats().activeStreams).toBe(0);
  });

  it('reloads with a new context length when idle, and close() empties everything', async () => {
    const s = make();
    await s.load({ model: 'stories', options: { num_ctx: 128 } });
    const small = s.ps()[0].context_length!;
    await s.load({ model: 'stories', options: { num_ctx: 512 } });
    expect(s.ps()[0].context_length).toBeGreaterThan(small);
    await s.close();
    expect(s.ps()).toEqual([]);
    expect(await s.load({ model: 'stories' }).then(() => 200, httpStatusOf)).toBe(503);
  });

  it('rejects unknown models with 404', async () => {
    const s = make();
    const error = await s.load({ model: 'missing' }).catch((e: unknown) => e);
    expect(toHttpFailure(error)).toMatchObject({
      status: 404,
      message: "model 'missing' not found"
    });
  });
});
