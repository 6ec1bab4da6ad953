/**
 * Ollama's final-chunk metrics, measured the same way by every local engine.
 * Ollama reports durations in nanoseconds; browsers measure milliseconds.
 */
import type { Metrics } from '#protocol/ollama/types';

export const msToNs = (ms: number): number => Math.max(0, Math.round(ms * 1e6));

export interface MeasuredRun {
  /** performance.now() when the request arrived at the engine. */
  startedAt: number;
  /** performance.now() when the first token arrived (null if none did). */
  firstTokenAt: number | null;
  endedAt: number;
  promptTokens: number;
  evalTokens: number;
  /** Engine-reported timings win over wall-clock estimates when present. */
  promptMs?: number;
  evalMs?: number;
  /** Load time charged to this request (only the request that triggered a load). */
  loadMs?: number;
}

export function runMetrics(run: MeasuredRun): Required<Metrics> {
  const firstToken = run.firstTokenAt ?? run.endedAt;
  const promptMs = run.promptMs ?? firstToken - run.startedAt;
  const evalMs = run.evalMs ?? run.endedAt - firstToken;
  const loadMs = run.loadMs ?? 0;
  return {
    total_duration: msToNs(run.endedAt - run.startedAt + loadMs),
    load_duration: msToNs(loadMs),
    prompt_eval_count: run.promptTokens,
    prompt_eval_duration: msToNs(promptMs),
    eval_count: run.evalTokens,
    eval_duration: msToNs(evalMs)
  };
}

/** Tokens per second from ns durations, as the chat UI shows it. */
export function tokensPerSecond(
  count: number | undefined,
  durationNs: number | undefined
): number | undefined {
  if (!count || !durationNs) return undefined;
  return count / (durationNs / 1e9);
}
