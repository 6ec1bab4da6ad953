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

export class RateLimiter {
  private readonly buckets = new Map<number, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Spends one request of key `id` under `perMinute` (0 or less = unlimited). */
  take(id: number, perMinute: number): TakeResult {
    if (perMinute <= 0) return { ok: true };
    const now = this.now();
    let bucket = this.buckets.get(id);
    if (!bucket || bucket.limit !== perMinute) {
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
}
