/**
 * Sign-in throttling: the backoff itself on a fake clock, and a real server answering
 * 429 with Retry-After, auditing it, and letting `hearth admin reset-password` through.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SignInThrottle,
  addressKey,
  type Attempt,
  type Refusal
} from '../../server/auth/signin-throttle';
import { AuthStore } from '../../server/auth/service';
import { hearth } from './cli-runner';
import { startMonitoredServer, type MonitoredServer } from './monitoring-app';

const IP = '203.0.113.7';

function attempt(throttle: SignInThrottle, user: string, ip = IP, stamp?: string): Attempt {
  const begun = throttle.begin(user, ip, stamp);
  if (!('attempt' in begun)) throw new Error(`refused: ${JSON.stringify(begun.refusal)}`);
  return begun.attempt;
}

function refusal(throttle: SignInThrottle, user: string, ip = IP, stamp?: string) {
  const begun = throttle.begin(user, ip, stamp);
  if ('attempt' in begun) {
    begun.attempt.abandon();
    return undefined;
  }
  return begun.refusal;
}

describe('SignInThrottle', () => {
  let now: number;
  let throttle: SignInThrottle;
  const fail = (user: string, ip = IP, stamp?: string) =>
    attempt(throttle, user, ip, stamp).failed();
  beforeEach(() => {
    now = 1_000_000;
    throttle = new SignInThrottle(() => now);
  });

  it('gives an account 5 free failures, then locks it for a doubling time capped at 15 min', () => {
    for (let i = 0; i < 5; i++) expect(fail('bob')).toEqual([]);
    const locks: number[] = [];
    for (let i = 0; i < 12; i++) {
      const [lock] = fail('bob');
      expect(lock).toMatchObject({ scope: 'account', failures: 6 + i });
      locks.push(lock.retryAfterSeconds);
      expect(refusal(throttle, 'bob')).toEqual({
        scope: 'account',
        retryAfterSeconds: lock.retryAfterSeconds
      });
      now += lock.retryAfterSeconds * 1000;
    }
    expect(locks).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
  });

  it('does not lengthen a lock however often it is hit, so it always ends', () => {
    for (let i = 0; i < 6; i++) fail('bob');
    for (let i = 0; i < 1000; i++) expect(refusal(throttle, 'bob')?.scope).toBe('account');
    now += 2_000;
    expect(refusal(throttle, 'bob')).toBeUndefined();
  });

  it('holds unknown usernames alike, and other accounts not at all', () => {
    for (let i = 0; i < 6; i++) fail('nobody-by-this-name');
    expect(refusal(throttle, 'NOBODY-by-this-name')?.scope).toBe('account');
    expect(refusal(throttle, 'alice')).toBeUndefined();
  });

  it('starts an account over after a successful sign-in', () => {
    for (let i = 0; i < 5; i++) fail('bob');
    attempt(throttle, 'bob').succeeded();
    for (let i = 0; i < 5; i++) expect(fail('bob')).toEqual([]);
    expect(fail('bob')).toHaveLength(1);
  });

  it('forgets the failures when the password changes, e.g. by an admin reset', () => {
    for (let i = 0; i < 6; i++) fail('bob', IP, 'old-hash');
    expect(refusal(throttle, 'bob', IP, 'old-hash')?.scope).toBe('account');
    expect(refusal(throttle, 'bob', IP, 'new-hash')).toBeUndefined();
    for (let i = 0; i < 6; i++) fail('bob', IP, 'new-hash');
    expect(refusal(throttle, 'bob', IP, 'new-hash')?.scope).toBe('account');
    throttle.clearAccount('BOB');
    expect(refusal(throttle, 'bob', IP, 'new-hash')).toBeUndefined();
  });

  it('lets the owner in from an address they signed in from while others are held', () => {
    attempt(throttle, 'bob', '198.51.100.1').succeeded();
    for (let i = 0; i < 6; i++) fail('bob', '192.0.2.66');
    expect(refusal(throttle, 'bob', '192.0.2.66')?.scope).toBe('account');
    expect(refusal(throttle, 'bob', '192.0.2.99')?.scope).toBe('account');
    attempt(throttle, 'bob', '198.51.100.1').succeeded();
    // The familiar address has its own budget, so guessing from there is slowed too.
    for (let i = 0; i < 6; i++) fail('bob', '198.51.100.1');
    expect(refusal(throttle, 'bob', '198.51.100.1')?.scope).toBe('account');
  });

  it('holds an address that guesses across many accounts; a success does not clear it', () => {
    for (let i = 0; i < 30; i++) expect(fail(`user${i}`)).toEqual([]);
    attempt(throttle, 'own-account').succeeded();
    expect(fail('user30')).toEqual([{ scope: 'address', failures: 31, retryAfterSeconds: 2 }]);
    const held: Refusal | undefined = refusal(throttle, 'someone-else');
    expect(held).toEqual({ scope: 'address', retryAfterSeconds: 2 });
    expect(refusal(throttle, 'someone-else', '198.51.100.1')).toBeUndefined();
  });

  it('lets parallel guesses no further than the same guesses one by one', () => {
    for (let i = 0; i < 4; i++) fail('bob');
    const inFlight = attempt(throttle, 'bob');
    // The fifth free try is being checked; a sixth must wait for its outcome.
    expect(refusal(throttle, 'bob')).toEqual({ scope: 'account', retryAfterSeconds: 1 });
    expect(inFlight.failed()).toEqual([]);
    expect(refusal(throttle, 'bob')).toBeUndefined();
  });

  it('treats an IPv6 /64 as one client and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('sign-in throttling on a real server', () => {
  const PASSWORD = 'the right password';
  let now = Date.now();
  let server: MonitoredServer;
  let dataDir: string;

  const login = (username: string, password: string) =>
    fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username, password })
    });

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-throttle-'));
    server = await startMonitoredServer({
      env: { HEARTH_AUTH: 'on', HEARTH_DATA: dataDir },
      // A clock that only moves when a test moves it, so no lock runs out mid-test.
      beforeRoutes: (_app, ctx) =>
        Object.assign(ctx.auth!, { signInThrottle: new SignInThrottle(() => now) })
    });
    const setup = await fetch(`${server.url}/api/auth/setup`, {
      method: 'POST',
      body: JSON.stringify({ username: 'root', password: PASSWORD })
    });
    const headers = {
      cookie: setup.headers.get('set-cookie')!.split(';')[0],
      'x-csrf-token': ((await setup.json()) as { csrfToken: string }).csrfToken
    };
    for (const username of ['bob', 'carol']) {
      const made = await fetch(`${server.url}/api/admin/users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ username, password: PASSWORD, role: 'user' })
      });
      expect(made.status).toBe(201);
    }
  });

  afterAll(async () => {
    await server?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After after repeated wrong passwords, and audits it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await login('bob', `wrong ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const held = await login('bob', PASSWORD);
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('2');
    expect(await held.json()).toEqual({
      error: 'too many failed sign-in attempts; try again in 2 s',
      code: 'sign_in_throttled',
      params: { seconds: 2 }
    });
    const store = await AuthStore.open(dataDir);
    try {
      const throttled = store.audit
        .page(100)
        .entries.filter((entry) => entry.action === 'auth.login_throttled');
      expect(throttled).toEqual([
        expect.objectContaining({
          target: 'bob',
          detail: { scope: 'account', failures: 6, retryAfterSeconds: 2 },
          ip: '127.0.0.1'
        })
      ]);
    } finally {
      store.close();
    }
  });

  it('lets the account in once the lock ends, and a success resets its count', async () => {
    now += 2_000;
    expect((await login('bob', PASSWORD)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login('bob', `wrong ${i}`)).status).toBe(401);
  });

  it('never holds `hearth admin reset-password`, and the reset lifts the lock', async () => {
    for (let i = 0; i < 7; i++) await login('carol', `wrong ${i}`);
    expect((await login('carol', PASSWORD)).status).toBe(429);
    const reset = await hearth(
      ['admin', 'reset-password', 'carol'],
      { HEARTH_DATA: dataDir },
      'a brand new password\n'
    );
    expect(reset.code).toBe(0);
    expect((await login('carol', 'a brand new password')).status).toBe(200);
  });
});
