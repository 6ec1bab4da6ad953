/**
 * Sliding windows for the live status page: how busy the server is right now, not since
 * start. Events are kept in one-second buckets, so memory stays bounded however busy.
 */
export class RecentCounter {
  private readonly buckets = new Map<number, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  add(amount = 1): void {
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + amount);
    this.prune();
  }

  /** Sum over the window. */
  total(): number {
    this.prune();
    let sum = 0;
    for (const value of this.buckets.values()) sum += value;
    return sum;
  }

  private prune(): void {
    const oldest = Math.floor((this.now() - this.windowMs) / 1000);
    for (const second of this.buckets.keys()) if (second <= oldest) this.buckets.delete(second);
  }
}

/**
 * Decode speed per model over the window: tokens generated divided by the time spent
 * generating them, so idle time between requests does not dilute the figure.
 */
export class RecentTokenRates {
  private readonly tokens = new Map<string, RecentCounter>();
  private readonly seconds = new Map<string, RecentCounter>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  add(model: string, evalTokens: number, evalDurationNs: number): void {
    if (evalTokens <= 0 || evalDurationNs <= 0) return;
    this.counter(this.tokens, model).add(evalTokens);
    this.counter(this.seconds, model).add(evalDurationNs / 1e9);
  }

  /** model → tokens per second; models idle for the whole window drop out. */
  rates(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [model, tokens] of this.tokens) {
      const count = tokens.total();
      const seconds = this.seconds.get(model)?.total() ?? 0;
      if (count === 0 || seconds <= 0) {
        this.tokens.delete(model);
        this.seconds.delete(model);
        continue;
      }
      out[model] = Math.round((count / seconds) * 100) / 100;
    }
    return out;
  }

  private counter(map: Map<string, RecentCounter>, model: string): RecentCounter {
    let counter = map.get(model);
    if (!counter) {
      counter = new RecentCounter(this.windowMs, this.now);
      map.set(model, counter);
    }
    return counter;
  }
}
