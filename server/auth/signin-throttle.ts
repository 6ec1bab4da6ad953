/**
 * Slows password guessing at sign-in, per account and per client address, the way
 * lockout policies in directory services do, without letting an attacker lock a real
 * user out:
 *
 *  - Each account gets a few free failures, then every further failure locks it for a
 *    doubling time (2 s, 4 s, … capped at 15 min). Attempts during a lock are refused
 *    with 429 without checking the password and do not lengthen it, so a user is never
 *    locked for longer than the cap, however hard the account is hammered.
 *  - An address the account signed in from before ("familiar") is not held by the
 *    account's lock: it has its own counter for that account. Someone guessing from
 *    elsewhere slows themselves down, not the account's owner.
 *  - Each address gets a larger free budget across all accounts (an office behind one
 *    NAT mistypes too), then the same backoff. A success does not reset it: an attacker
 *    could otherwise clear it by signing in to an account of their own.
 *  - A successful sign-in resets the account's counters. A password change (including
 *    `hearth admin reset-password`, which writes the database from another process) is
 *    noticed through the changed hash and resets them too.
 *
 * Kept in memory: a restart forgets the counters, which only ever errs toward letting
 * attempts through, and tables are capped so random usernames cannot grow memory.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { nameKey } from './names';

export interface ThrottlePolicy {
  freeFailures: number;
  baseLockMs: number;
  maxLockMs: number;
  /** A counter untouched this long starts over. */
  forgetAfterMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseLockMs: 2_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000
};
export const ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 30,
  baseLockMs: 2_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000
};

const MAX_TRACKED = 10_000;
const MAX_FAMILIAR_ADDRESSES = 8;

export type ThrottleScope = 'account' | 'address';

export interface Refusal {
  scope: ThrottleScope;
  retryAfterSeconds: number;
}

/** A lock that a failure just started, for the audit log. */
export interface LockStarted extends Refusal {
  failures: number;
}

interface Counter {
  failures: number;
  lockedUntil: number;
  lastFailureAt: number;
  /** Attempts whose password is being checked right now (scrypt takes a while). */
  pending: number;
}

interface AccountState {
  counter: Counter;
  /** Fingerprint of the password hash the failures were counted against. */
  stamp: string | undefined;
  /** Addresses that signed in to this account, each with its own counter. */
  familiar: Map<string, Counter>;
}

/** One sign-in attempt let through; exactly one of its methods must be called. */
export interface Attempt {
  /** Wrong password or unknown user; returns the locks this failure started. */
  failed(): LockStarted[];
  /** Right password: the account starts over and the address becomes familiar. */
  succeeded(): void;
  /** Neither (e.g. the check itself failed): the attempt just stops counting as pending. */
  abandon(): void;
}

const freshCounter = (): Counter => ({ failures: 0, lockedUntil: 0, lastFailureAt: 0, pending: 0 });

/** Forgets failures in place, so attempts pending on this counter still find it. */
function reset(counter: Counter): void {
  Object.assign(counter, { failures: 0, lockedUntil: 0, lastFailureAt: 0 });
}

/**
 * How long until this counter lets one more attempt through. Within the free budget,
 * pending attempts count as failures, and beyond it only one may be in flight, so a
 * burst of parallel guesses gets no further than the same guesses sent one by one.
 */
function waitMs(counter: Counter, policy: ThrottlePolicy, now: number): number {
  if (now - counter.lastFailureAt > policy.forgetAfterMs && counter.pending === 0) reset(counter);
  if (counter.lockedUntil > now) return counter.lockedUntil - now;
  const overBudget = counter.failures + counter.pending >= policy.freeFailures;
  return overBudget && counter.pending > 0 ? 1000 : 0;
}

function countFailure(counter: Counter, policy: ThrottlePolicy, now: number) {
  if (now - counter.lastFailureAt > policy.forgetAfterMs) reset(counter);
  counter.failures += 1;
  counter.lastFailureAt = now;
  const over = counter.failures - policy.freeFailures;
  if (over <= 0) return undefined;
  const lockMs = Math.min(policy.baseLockMs * 2 ** Math.min(over - 1, 30), policy.maxLockMs);
  counter.lockedUntil = now + lockMs;
  return { failures: counter.failures, retryAfterSeconds: seconds(lockMs) };
}

/**
 * The unit one client controls: an IPv4 address, or an IPv6 /64, since anyone with IPv6
 * gets a whole /64 and could otherwise rotate addresses at will.
 */
export function addressKey(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1];
  if (!net.isIPv6(bare)) return bare;
  const [head, tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right].slice(0, 4);
  return `${groups.map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** Fingerprint of a password hash, to notice a password change made anywhere. */
export function passwordStamp(hash: string): string {
  return crypto.createHash('sha256').update(hash).digest('base64url').slice(0, 16);
}

export class SignInThrottle {
  private readonly accounts = new Map<string, AccountState>();
  private readonly addresses = new Map<string, Counter>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly accountPolicy: ThrottlePolicy = ACCOUNT_POLICY,
    private readonly addressPolicy: ThrottlePolicy = ADDRESS_POLICY
  ) {}

  /**
   * Before checking a password: a refusal while the account (as seen from this address)
   * or the address is held, otherwise the attempt to report back on. `stamp` is
   * passwordStamp() of the account's current hash, when the account exists.
   */
  begin(username: string, ip: string, stamp?: string): { refusal: Refusal } | { attempt: Attempt } {
    const now = this.now();
    const where = addressKey(ip);
    const account = this.account(username, stamp);
    const counter = account.familiar.get(where) ?? account.counter;
    let address = this.addresses.get(where);
    if (!address) {
      address = freshCounter();
      remember(this.addresses, where, address);
    }
    const accountWait = waitMs(counter, this.accountPolicy, now);
    const addressWait = waitMs(address, this.addressPolicy, now);
    if (accountWait > 0 || addressWait > 0) {
      const scope: ThrottleScope = accountWait >= addressWait ? 'account' : 'address';
      return { refusal: { scope, retryAfterSeconds: seconds(Math.max(accountWait, addressWait)) } };
    }
    counter.pending += 1;
    address.pending += 1;
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      counter.pending -= 1;
      address.pending -= 1;
      return true;
    };
    return {
      attempt: {
        failed: () => {
          if (!close()) return [];
          const started: LockStarted[] = [];
          const accountLock = countFailure(counter, this.accountPolicy, this.now());
          if (accountLock) started.push({ scope: 'account', ...accountLock });
          const addressLock = countFailure(address, this.addressPolicy, this.now());
          if (addressLock) started.push({ scope: 'address', ...addressLock });
          return started;
        },
        succeeded: () => {
          if (!close()) return;
          reset(account.counter);
          const familiar = account.familiar.get(where) ?? freshCounter();
          reset(familiar);
          remember(account.familiar, where, familiar, MAX_FAMILIAR_ADDRESSES);
        },
        abandon: () => void close()
      }
    };
  }

  /** Forgets the account's failures (its familiar addresses stay). */
  clearAccount(username: string): void {
    const account = this.accounts.get(nameKey(username));
    if (!account) return;
    reset(account.counter);
    for (const counter of account.familiar.values()) reset(counter);
  }

  private account(username: string, stamp: string | undefined): AccountState {
    const key = nameKey(username);
    let account = this.accounts.get(key);
    if (!account) {
      account = { counter: freshCounter(), stamp, familiar: new Map() };
      remember(this.accounts, key, account);
    } else if (stamp !== undefined && account.stamp !== stamp) {
      // The password changed since these failures were counted: they no longer apply.
      if (account.stamp !== undefined) this.clearAccount(username);
      account.stamp = stamp;
    }
    return account;
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Inserts as the newest entry, dropping the oldest beyond `max` (Maps keep insertion order). */
function remember<V>(map: Map<string, V>, key: string, value: V, max = MAX_TRACKED): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
}
