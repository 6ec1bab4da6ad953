/**
 * The scheduler's rules with a scripted runner (./scripted-runner): who gets a slot, in
 * what order, what a full queue answers, what aborting frees, when models load, unload
 * and get evicted. Each test runs in milliseconds; scheduler.test.ts keeps one test per
 * behaviour on the real model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { BusyError } from '../../server/domain-errors';
import { httpStatusOf, toHttpFailure } from '../../server/http/error-status';
import { ModelScheduler } from '../../server/runtime/model-scheduler';
import type { GenerateEvent, GenerateJob } from '../../server/runtime/scheduler';
import { silentLog, storiesStore } from './fixtures';
import { ScriptedRunners } from './scripted-runner';

let scheduler: ModelScheduler | undefined;
let runners: ScriptedRunners;

function make(env: Record<string, string> = {}) {
  runners = new ScriptedRunners();
  const config = loadConfig({ HEARTH_MODELS: '.', HEARTH_THREADS: '1', ...env });
  scheduler = new ModelScheduler(config, storiesStore(), silentLog, runners.load);
  return scheduler;
}

afterEach(async () => {
  await scheduler?.close();
  scheduler = undefined;
});

function job(model = 'stories', over: Partial<GenerateJob> = {}): GenerateJob {
  return {
    model,
    input: { kind: 'generate', prompt: 'x' },
    signal: new AbortController().signal,
    ...over
  };
}

/** Starts a generation and collects what it streams, and how it ends. */
function start(s: ModelScheduler, request: GenerateJob) {
  const events: GenerateEvent[] = [];
  const ended = (async () => {
    for await (const event of s.generate(request)) events.push(event);
    return events;
  })();
  ended.catch(() => undefined);
  return { events, ended };
}

/** Waits until `count` generations are running on the scripted runner. */
async function running(count: number) {
  await expect.poll(() => runners.active().length).toBe(count);
  return runners.active();
}

describe('scheduling', () => {
  it('runs up to num_parallel requests at once, each on its own slot', async () => {
    const s = make({ OLLAMA_NUM_PARALLEL: '2' });
    start(s, job());
    start(s, job());
    const third = start(s, job());
    const [a, b] = await running(2);
    expect(new Set([a.slot, b.slot])).toEqual(new Set([0, 1]));
    expect(s.stats()).toMatchObject({ activeStreams: 2, queueDepth: 1 });
    a.finish();
    await running(2);
    expect(runners.loaded).toEqual(['stories:latest']);
    for (const run of runners.active()) run.finish();
    expect((await third.ended).at(-1)).toMatchObject({ type: 'done' });
    expect(s.stats()).toMatchObject({ activeStreams: 0, queueDepth: 0 });
  });

  it('serves waiters first in, first out', async () => {
    const s = make();
    start(s, job('stories', { input: { kind: 'generate', prompt: 'first' } }));
    await running(1);
    for (const prompt of ['second', 'third', 'fourth'])
      start(s, job('stories', { input: { kind: 'generate', prompt } }));
    await expect.poll(() => s.stats().queueDepth).toBe(3);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [run] = await running(1);
      const input = run.job.input;
      order.push(input.kind === 'generate' ? input.prompt : '');
      run.finish();
    }
    expect(order).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('refuses with 503 and Retry-After when the queue is full', async () => {
    const s = make({ OLLAMA_MAX_QUEUE: '1' });
    start(s, job());
    await running(1);
    start(s, job());
    await expect.poll(() => s.stats().queueDepth).toBe(1);
    const refused = start(s, job());
    const error = await refused.ended.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusyError);
    const failure = toHttpFailure(error);
    expect(failure.status).toBe(503);
    expect(failure.headers['Retry-After']).toMatch(/^\d+$/);
  });

  it('takes an aborted waiter out of the queue, and the next one gets the slot', async () => {
    const s = make();
    const first = start(s, job());
    const [run] = await running(1);
    const cancel = new AbortController();
    const gone = start(s, job('stories', { signal: cancel.signal }));
    const next = start(s, job('stories', { input: { kind: 'generate', prompt: 'next' } }));
    await expect.poll(() => s.stats().queueDepth).toBe(2);
    cancel.abort();
    await expect(gone.ended).rejects.toThrow(/canceled/);
    expect(s.stats().queueDepth).toBe(1);
    run.finish();
    await first.ended;
    const [second] = await running(1);
    expect(second.job.input).toMatchObject({ prompt: 'next' });
    second.finish();
    await next.ended;
  });

  it('frees the slot when a running request is aborted mid-stream', async () => {
    const s = make();
    const cancel = new AbortController();
    const first = start(s, job('stories', { signal: cancel.signal }));
    const [run] = await running(1);
    run.step('one');
    await expect.poll(() => first.events.length).toBe(1);
    const waiting = start(s, job());
    cancel.abort();
    await expect(first.ended).rejects.toThrow(/canceled/);
    const [second] = await running(1);
    second.finish();
    await waiting.ended;
    expect(s.stats().activeStreams).toBe(0);
  });

  it('loads a model once for requests that arrive while it loads', async () => {
    const s = make({ OLLAMA_NUM_PARALLEL: '2' });
    runners.holdLoads = true;
    const a = start(s, job());
    const b = start(s, job());
    await expect.poll(() => runners.pending.length).toBe(1);
    expect(s.ps()).toEqual([]);
    runners.pending[0].succeed();
    for (const run of await running(2)) run.finish();
    await Promise.all([a.ended, b.ended]);
    expect(runners.loaded).toEqual(['stories:latest']);
    // The request that waited for the load reports it; the model is listed once loaded.
    expect(s.ps().map((m) => m.name)).toEqual(['stories:latest']);
  });

  it('passes a failed load to its requests and loads again for the next one', async () => {
    const s = make();
    runners.holdLoads = true;
    const a = start(s, job());
    await expect.poll(() => runners.pending.length).toBe(1);
    runners.pending[0].fail(new Error('not a GGUF file'));
    await expect(a.ended).rejects.toThrow('not a GGUF file');
    expect(s.stats()).toMatchObject({ activeStreams: 0, models: [] });
    runners.holdLoads = false;
    const b = start(s, job());
    (await running(1))[0].finish();
    await b.ended;
  });

  it('unloads after keep_alive, at once for 0, never for forever', async () => {
    const s = make();
    await s.load({ model: 'stories:brief', keepAliveMs: 30 });
    await s.load({ model: 'stories:zero', keepAliveMs: 0 });
    await s.load({ model: 'stories:forever', keepAliveMs: Infinity });
    await expect.poll(() => runners.disposed).toContain('stories:zero');
    await expect.poll(() => runners.disposed).toContain('stories:brief');
    expect(s.ps()).toMatchObject([
      { name: 'stories:forever', expires_at: '2318-08-01T00:00:00.000Z' }
    ]);
  });

  it('keeps a model in use past its keep_alive, and counts from when it is idle', async () => {
    const s = make();
    const first = start(s, job('stories', { keepAliveMs: 20 }));
    const [run] = await running(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runners.disposed).toEqual([]);
    run.finish();
    await first.ended;
    await expect.poll(() => runners.disposed).toEqual(['stories:latest']);
  });

  it('evicts the least recently used idle model beyond max loaded models', async () => {
    const s = make({ OLLAMA_MAX_LOADED_MODELS: '2' });
    await s.load({ model: 'stories:a' });
    await s.load({ model: 'stories:b' });
    await s.load({ model: 'stories:a' });
    await s.load({ model: 'stories:c' });
    await expect.poll(() => runners.disposed).toEqual(['stories:b']);
    expect(
      s
        .ps()
        .map((m) => m.name)
        .sort()
    ).toEqual(['stories:a', 'stories:c']);
  });

  it('waits for a busy model to go idle before evicting it for another', async () => {
    const s = make({ OLLAMA_MAX_LOADED_MODELS: '1' });
    const busy = start(s, job('stories:a'));
    const [run] = await running(1);
    const other = start(s, job('stories:b'));
    await expect.poll(() => s.stats().queueDepth).toBe(1);
    expect(runners.loaded).toEqual(['stories:a']);
    run.finish();
    await busy.ended;
    const [next] = await running(1);
    expect(next.model).toBe('stories:b');
    expect(runners.disposed).toEqual(['stories:a']);
    next.finish();
    await other.ended;
  });

  it('reloads for a different context length only once the model is idle', async () => {
    const s = make();
    const first = start(s, job('stories', { options: { num_ctx: 128 } }));
    const [run] = await running(1);
    const bigger = start(s, job('stories', { options: { num_ctx: 256 } }));
    await expect.poll(() => s.stats().queueDepth).toBe(1);
    run.finish();
    await first.ended;
    (await running(1))[0].finish();
    await bigger.ended;
    expect(runners.loaded).toEqual(['stories:latest', 'stories:latest']);
    expect(s.ps()[0].context_length).toBe(256);
  });

  it('unloads a busy model once its requests finish when asked to', async () => {
    const s = make();
    const first = start(s, job());
    const [run] = await running(1);
    expect(await s.unload('stories')).toBe(true);
    expect(runners.disposed).toEqual([]);
    run.finish();
    await first.ended;
    await expect.poll(() => runners.disposed).toEqual(['stories:latest']);
    expect(await s.unload('stories')).toBe(false);
  });

  it('refuses waiters with 503 on close', async () => {
    const s = make();
    start(s, job());
    await running(1);
    const waiting = start(s, job());
    await expect.poll(() => s.stats().queueDepth).toBe(1);
    await s.close();
    expect(await waiting.ended.then(() => 200, httpStatusOf)).toBe(503);
  });
});
