/**
 * Live server status for the admin page: an EventSource on /api/status/stream that
 * receives one StatusSnapshot every 2 s. EventSource retries network drops by itself but
 * gives up for good on an HTTP error (a restart that answers 502, an expired session), so
 * every error closes it and this class reconnects with a capped backoff instead: one
 * policy for every failure. stop() (on page leave) closes it and cancels the retry.
 */
import type { StatusSnapshot } from '#protocol/portal/types';

export const STATUS_STREAM_PATH = '/api/status/stream';

/** 1 s, 2 s, 4 s … capped at 30 s: fast after a blip, gentle on a server that is down. */
export function retryDelayMs(attempt: number, baseMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 20)));
}

/** The part of EventSource this class uses, so tests can drive it without a browser. */
export interface EventSourceLike {
  onopen: ((event: Event) => unknown) | null;
  onmessage: ((event: MessageEvent) => unknown) | null;
  onerror: ((event: Event) => unknown) | null;
  close(): void;
}

export interface StatusStreamDeps {
  open(url: string): EventSourceLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserDeps: StatusStreamDeps = {
  open: (url) => new EventSource(url, { withCredentials: true }),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>)
};

export class StatusStream {
  snapshot = $state<StatusSnapshot | null>(null);
  connected = $state(false);
  /** Failed attempts since the last snapshot; > 0 means "disconnected, retrying". */
  failures = $state(0);
  /** When the next attempt starts (ms since epoch), while waiting to retry. */
  retryAt = $state<number | null>(null);
  /** A snapshot that could not be read (should not happen; shown rather than hidden). */
  problem = $state<string | null>(null);

  private source: EventSourceLike | null = null;
  private timer: unknown = null;
  private running = false;

  constructor(
    private readonly url = STATUS_STREAM_PATH,
    private readonly deps: StatusStreamDeps = browserDeps
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.connected = false;
    this.retryAt = null;
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
  }

  private connect(): void {
    this.timer = null;
    this.retryAt = null;
    const source = this.deps.open(this.url);
    this.source = source;
    source.onopen = () => {
      if (this.source === source) this.connected = true;
    };
    source.onmessage = (event) => {
      if (this.source !== source) return;
      try {
        this.snapshot = JSON.parse(String(event.data)) as StatusSnapshot;
        this.problem = null;
      } catch {
        this.problem = `unreadable status event: ${String(event.data).slice(0, 80)}`;
        return;
      }
      this.connected = true;
      this.failures = 0;
    };
    source.onerror = () => {
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.connected = false;
      if (!this.running) return;
      const delay = retryDelayMs(this.failures);
      this.failures += 1;
      this.retryAt = Date.now() + delay;
      this.timer = this.deps.setTimeout(() => {
        if (this.running) this.connect();
      }, delay);
    };
  }
}
