/**
 * Per-key rate limits: the token bucket itself on a fake clock, and the real server's
 * 429 with Retry-After in both error dialects, with the per-key override from the DB.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/auth/ratelimit';
import { startServer, type TestServer } from './helpers';

describe('RateLimiter', () => {
  it('allows a burst of the per-minute limit, then one request per 60/limit seconds', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    for (let i = 0; i < 3; i++) expect(limiter.take(1, 3)).toEqual({ ok: true });
    expect(limiter.take(1, 3)).toEqual({ ok: false, retryAfterSeconds: 20 });
    now += 15_000;
    expect(limiter.take(1, 3)).toEqual({ ok: false, retryAfterSeconds: 5 });
    now += 5_000;
    expect(limiter.take(1, 3)).toEqual({ ok: true });
    // Keys have separate buckets, and 0 means unlimited.
    expect(limiter.take(2, 3)).toEqual({ ok: true });
    for (let i = 0; i < 100; i++) expect(limiter.take(3, 0).ok).toBe(true);
  });
});

describe('429 from a real server', () => {
  let server: TestServer;
  let dataDir: string;
  let headers: Record<string, string>;
  let key: string;
  let keyId: number;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
    server = await startServer({ HEARTH_AUTH: 'on', HEARTH_DATA: dataDir, HEARTH_RATE_LIMIT: '3' });
    const setup = await fetch(`${server.url}/api/auth/setup`, {
      method: 'POST',
      body: JSON.stringify({ username: 'root', password: 'a long enough password' })
    });
    headers = {
      cookie: setup.headers.get('set-cookie')!.split(';')[0],
      'x-csrf-token': ((await setup.json()) as { csrfToken: string }).csrfToken
    };
    const made = await fetch(`${server.url}/api/auth/keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'bot' })
    });
    const body = (await made.json()) as { key: string; apiKey: { id: number } };
    key = body.key;
    keyId = body.apiKey.id;
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once HEARTH_RATE_LIMIT is spent, in each dialect', async () => {
    const auth = { authorization: `Bearer ${key}` };
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${server.url}/api/tags`, { headers: auth })).status).toBe(200);
    const limited = await fetch(`${server.url}/api/tags`, { headers: auth });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(20);
    expect(await limited.json()).toEqual({
      error: expect.stringMatching(
        /^rate limit exceeded for API key hk_[0-9a-f]{8}; retry in \d+ s$/
      ),
      code: 'rate_limited',
      params: { seconds: Number(limited.headers.get('retry-after')) }
    });
    const openai = await fetch(`${server.url}/v1/models`, { headers: auth });
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await openai.json()) as { error: { type: string } }).error.type).toBe(
      'rate_limit_error'
    );
    // The web app's session is not a key and is not limited.
    expect((await fetch(`${server.url}/api/tags`, { headers })).status).toBe(200);
  });

  it('honours a per-key override set by an admin (0 = unlimited)', async () => {
    const patch = await fetch(`${server.url}/api/admin/keys/${keyId}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ rateLimitPerMin: 0 })
    });
    expect(patch.status).toBe(200);
    expect(
      ((await patch.json()) as { apiKey: { rateLimitPerMin: number } }).apiKey.rateLimitPerMin
    ).toBe(0);
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${server.url}/api/tags`, {
        headers: { authorization: `Bearer ${key}` }
      });
      expect(res.status).toBe(200);
    }
  });
});
