/**
 * The admin status stream's connection policy, driven through a scripted EventSource and
 * a manual clock: snapshots arrive, every error closes the source and retries with a
 * capped backoff, a snapshot resets the backoff, and stop() leaves nothing running.
 */
import { describe, expect, it } from 'vitest';
import {
  StatusStream,
  retryDelayMs,
  type EventSourceLike,
  type StatusStreamDeps
} from '../../src/lib/portal/status.svelte';

class FakeSource implements EventSourceLike {
  onopen: ((event: Event) => unknown) | null = null;
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  onerror: ((event: Event) => unknown) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  send(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) } as MessageEvent);
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
}

function harness() {
  const sources: FakeSource[] = [];
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const deps: StatusStreamDeps = {
    open: (url) => {
      const source = new FakeSource(url);
      sources.push(source);
      return source;
    },
    setTimeout: (fn, ms) => {
      timers.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (handle) => void timers.delete(handle as number)
  };
  const fire = () => {
    const [[handle, timer]] = [...timers];
    timers.delete(handle);
    timer.fn();
    return timer.ms;
  };
  return { sources, timers, deps, fire, last: () => sources[sources.length - 1] };
}

const snapshot = (requests: number) => ({ time: 't', requests_per_minute: requests });

describe('retryDelayMs', () => {
  it('doubles from 1 s and stops at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => retryDelayMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000
    ]);
  });
});

describe('StatusStream', () => {
  it('shows each snapshot as it arrives', () => {
    const h = harness();
    const stream = new StatusStream('/api/status/stream', h.deps);
    stream.start();
    expect(h.sources).toHaveLength(1);
    expect(h.last().url).toBe('/api/status/stream');
    h.last().open();
    expect(stream.connected).toBe(true);
    h.last().send(snapshot(3));
    expect(stream.snapshot?.requests_per_minute).toBe(3);
    h.last().send(snapshot(7));
    expect(stream.snapshot?.requests_per_minute).toBe(7);
    stream.stop();
  });

  it('closes a failed source, backs off, and resets the backoff once data flows', () => {
    const h = harness();
    const stream = new StatusStream('/s', h.deps);
    stream.start();
    h.last().send(snapshot(1));
    h.last().fail();
    expect(h.sources[0].closed).toBe(true);
    expect(stream.connected).toBe(false);
    expect(stream.failures).toBe(1);
    expect(stream.retryAt).not.toBeNull();
    // The old snapshot stays on screen while retrying.
    expect(stream.snapshot?.requests_per_minute).toBe(1);
    expect(h.fire()).toBe(1000);
    expect(h.sources).toHaveLength(2);
    h.last().fail();
    expect(h.fire()).toBe(2000);
    h.last().fail();
    expect(h.fire()).toBe(4000);
    h.last().send(snapshot(9));
    expect(stream.failures).toBe(0);
    expect(stream.connected).toBe(true);
    h.last().fail();
    expect(h.fire()).toBe(1000);
    stream.stop();
  });

  it('ignores events from a source it already replaced', () => {
    const h = harness();
    const stream = new StatusStream('/s', h.deps);
    stream.start();
    const first = h.last();
    first.fail();
    h.fire();
    first.send(snapshot(42));
    first.fail();
    expect(stream.snapshot).toBeNull();
    expect(h.timers.size).toBe(0);
    stream.stop();
  });

  it('stop() closes the source and cancels a pending retry', () => {
    const h = harness();
    const stream = new StatusStream('/s', h.deps);
    stream.start();
    h.last().open();
    stream.stop();
    expect(h.sources[0].closed).toBe(true);
    expect(stream.connected).toBe(false);

    stream.start();
    h.last().fail();
    expect(h.timers.size).toBe(1);
    stream.stop();
    expect(h.timers.size).toBe(0);
    expect(h.sources).toHaveLength(2);
  });

  it('reports an unreadable event instead of dropping it silently', () => {
    const h = harness();
    const stream = new StatusStream('/s', h.deps);
    stream.start();
    h.last().onmessage?.({ data: 'not json' } as MessageEvent);
    expect(stream.problem).toContain('not json');
    stream.stop();
  });
});
