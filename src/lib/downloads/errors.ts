/**
 * Download failures as states the UI can show and translate: an English message for logs
 * plus a key (models.errors.<key>) and values.
 */
import type { ModelState } from '../models/types';
import { formatBytes } from '../util/format';

export interface FailureInfo {
  error: string;
  errorKey: string;
  errorParams: Record<string, string | number>;
}

export function failure(
  errorKey: string,
  error: string,
  errorParams: Record<string, string | number> = {}
): FailureInfo {
  return { error, errorKey, errorParams };
}

/** QuotaExceededError, raw or wrapped by dexie (AbortError with .inner) or by a cause. */
export function isQuotaError(e: unknown): boolean {
  for (
    let cur = e as { name?: string; inner?: unknown; cause?: unknown } | undefined, i = 0;
    cur && i < 5;
    i++
  ) {
    if (cur.name === 'QuotaExceededError') return true;
    cur = (cur.inner ?? cur.cause) as typeof cur;
  }
  return false;
}

export async function storageEstimate(): Promise<{ quota: number; usage: number } | null> {
  try {
    const est = await globalThis.navigator?.storage?.estimate?.();
    if (est?.quota === undefined || est.usage === undefined) return null;
    return { quota: est.quota, usage: est.usage };
  } catch {
    return null;
  }
}

/** How much more this model needs, how much is free, and what to do about it. */
export async function quotaFailure(neededBytes: number): Promise<FailureInfo> {
  const est = await storageEstimate();
  const needed = formatBytes(neededBytes);
  if (!est) {
    return failure(
      'quota',
      `Not enough storage: this model needs ${needed} more. Delete models you no longer use, then press Resume.`,
      { needed, free: '?', quota: '?' }
    );
  }
  const free = formatBytes(Math.max(0, est.quota - est.usage));
  const quota = formatBytes(est.quota);
  return failure(
    'quota',
    `Not enough storage: this model needs ${needed} more, but only ${free} of ${quota} is free. Delete models you no longer use, then press Resume.`,
    { needed, free, quota }
  );
}

export function withFailure(state: ModelState, info: FailureInfo | null): ModelState {
  const { error: _e, errorKey: _k, errorParams: _p, ...rest } = state;
  return info ? { ...rest, ...info } : rest;
}
