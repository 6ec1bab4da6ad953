/**
 * Per-API-key token buckets: a key may burst up to its per-minute limit, then gets one
 * request back every 60/limit seconds. Kept in memory: a restart forgets the buckets,
 * which only ever errs toward letting requests through.
 */
interface Bucket {
  tokens: number;
  updatedAt: number;
  limit: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Buckets kept before full (idle) ones are dropped: per-visitor limits see many addresses. */
const MAX_BUCKETS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<number | string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Spends one request of key `id` (an API key id, or any caller key) under `perMinute` (0 or less = unlimited). */
  take(id: number | string, perMinute: number): TakeResult {
    if (perMinute <= 0) return { ok: true };
    const now = this.now();
    let bucket = this.buckets.get(id);
    if (!bucket || bucket.limit !== perMinute) {
      if (!bucket && this.buckets.size >= MAX_BUCKETS) this.dropRefilled(now);
      bucket = { tokens: perMinute, updatedAt: now, limit: perMinute };
      this.buckets.set(id, bucket);
    }
    const perMs = perMinute / 60_000;
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000))
    };
  }

  /** A bucket that has refilled holds no state worth keeping: a new one starts the same. */
  private dropRefilled(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) * bucket.limit) / 60_000 >= bucket.limit)
        this.buckets.delete(id);
    }
  }
}
