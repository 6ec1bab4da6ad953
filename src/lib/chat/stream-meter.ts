/**
 * The chat's own measure of an answer as it streams. Engines report their figures in the
 * final chunk, which a stopped answer never gets: the session stops reading at once, and
 * each engine ends its own way anyway (wllama's run rejects, web-llm is interrupted, a
 * server's fetch is cut and its stand-in final chunk carries no figures). Measuring here
 * gives every engine's stopped answer the same stats, from what was actually shown.
 */
import type { ChatResponse, Metrics } from '#protocol/ollama/types';
import type { EngineKind } from '../engines/engine';
import { msToNs } from '../engines/metrics';
import { statsFromFinal, type AnswerStats } from './request';

export class StreamMeter {
  /** Chunks that carried text: every engine streams about one token per chunk. */
  tokens = 0;
  private firstAt: number | null = null;
  private lastAt: number | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** One chunk of text arrived. */
  token(): void {
    const at = this.now();
    this.firstAt ??= at;
    this.lastAt = at;
    this.tokens++;
  }

  /**
   * Generation figures in Ollama's units. The first token's own time is hidden in the
   * wait for it (prompt, and maybe a model load), so the N-1 gaps after it set the pace
   * and the duration is N such gaps: N tokens at the speed that was seen.
   */
  metrics(): Metrics {
    const metrics: Metrics = { eval_count: this.tokens };
    if (this.tokens > 1 && this.firstAt !== null && this.lastAt !== null) {
      const gapMs = (this.lastAt - this.firstAt) / (this.tokens - 1);
      if (gapMs > 0) metrics.eval_duration = msToNs(gapMs * this.tokens);
    }
    return metrics;
  }
}

/**
 * An answer's stats: the engine's final chunk when it counted the tokens, else what the
 * meter saw (stopped, or a stream that ended without a final chunk, or one whose final
 * chunk came without usage figures). None when neither came: stopped before the first token.
 */
export function answerStats(
  final: ChatResponse | null,
  meter: StreamMeter,
  engine: EngineKind,
  modelId: string
): AnswerStats | undefined {
  if (final && (final.eval_count ?? 0) > 0) return statsFromFinal(final, engine, modelId);
  if (meter.tokens > 0) return statsFromFinal(meter.metrics(), engine, modelId);
  return final ? statsFromFinal(final, engine, modelId) : undefined;
}
