/**
 * One loaded model: its runner, its parallel slots and how many of them are handed out,
 * and its keep_alive expiry. The scheduler decides who gets a slot; this class keeps the
 * bookkeeping honest.
 */
import type { ResolvedModel } from '../store/model-store';
import type { ModelRunner } from './runner';

/** Orders uses exactly: a burst of requests can share one millisecond. */
let uses = 0;

/** The last instant a JavaScript Date can represent. */
const MAX_DATE_MS = 8.64e15;

export interface ContextWish {
  /** Requested context length per slot (0 = the model's own). */
  contextLength: number;
  threads: number;
}

export class LoadedModel {
  state: 'loading' | 'ready' = 'loading';
  runner?: ModelRunner;
  /** Slots handed out (including ones reserved while the model loads). */
  reserved = 0;
  /** When it was last given back, as a use count (for least-recently-used eviction). */
  lastUsed = ++uses;
  /** ms since epoch; Infinity = never; null = in use (expiry starts when idle). */
  expiresAt: number | null = null;
  keepAliveMs: number;
  /** Set by an explicit unload while requests run: unload once they finish. */
  unloadWhenIdle = false;
  loadDurationNs = 0;
  /** performance.now() when loading began. */
  loadStartedAt = 0;
  /** Slot numbers not handed out (a slot is one of the runner's sequences). */
  private readonly free: number[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    readonly resolved: ResolvedModel,
    readonly wish: ContextWish,
    readonly slots: number,
    readonly ready: Promise<ModelRunner>,
    keepAliveMs: number
  ) {
    this.keepAliveMs = keepAliveMs;
  }

  get name(): string {
    return this.resolved.name;
  }

  get idle(): boolean {
    return this.reserved === 0;
  }

  hasFreeSlot(): boolean {
    return this.reserved < this.slots;
  }

  /**
   * True when a request's context wish needs a reload to be honoured. Once the model is
   * loaded, two num_ctx values that clamp to the same context are the same wish, so a
   * client asking for more than the model was trained for does not reload it every time.
   */
  differsFrom(wish: ContextWish): boolean {
    if (wish.threads !== this.wish.threads) return true;
    if (!this.runner) return wish.contextLength !== this.wish.contextLength;
    return (
      this.runner.numCtxFor(wish.contextLength) !== this.runner.numCtxFor(this.wish.contextLength)
    );
  }

  markReady(runner: ModelRunner): void {
    this.runner = runner;
    this.state = 'ready';
    for (let slot = this.slots - 1; slot >= 0; slot--) this.free.push(slot);
  }

  reserve(): void {
    this.reserved++;
    this.expiresAt = null;
    this.clearTimer();
  }

  /** The slot for a reservation; only after `ready` resolved. */
  takeSlot(): number {
    const slot = this.free.pop();
    if (slot === undefined) throw new Error(`no free slot on ${this.name} (slot accounting bug)`);
    return slot;
  }

  /** Gives back a reservation (and its slot, if it got one). Returns true when now idle. */
  giveBack(slot: number | undefined, keepAliveMs: number): boolean {
    if (slot !== undefined) this.free.push(slot);
    this.reserved--;
    this.lastUsed = ++uses;
    this.keepAliveMs = keepAliveMs;
    return this.reserved === 0;
  }

  /** Starts the keep_alive countdown; calls `expire` when it runs out. */
  startExpiry(expire: () => void): void {
    this.clearTimer();
    if (this.keepAliveMs === Infinity) {
      this.expiresAt = Infinity;
      return;
    }
    this.expiresAt = Date.now() + this.keepAliveMs;
    // setTimeout overflows past 2^31-1 ms; re-arm in steps for very long keep_alive values.
    const arm = () => {
      const left = (this.expiresAt ?? 0) - Date.now();
      this.timer = setTimeout(
        left > 2 ** 31 - 1 ? arm : expire,
        Math.min(Math.max(left, 0), 2 ** 31 - 1)
      );
      this.timer.unref();
    };
    arm();
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Expiry as /api/ps shows it: while in use, the countdown that will start when idle. */
  expiresAtIso(now = Date.now()): string {
    const at = this.expiresAt ?? now + this.keepAliveMs;
    // Go's zero-ish far future, as Ollama prints for "forever"; a keep_alive too long for
    // a Date to hold is forever too (and would make toISOString throw).
    return at > MAX_DATE_MS ? '2318-08-01T00:00:00.000Z' : new Date(at).toISOString();
  }
}
