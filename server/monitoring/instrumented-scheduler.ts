/**
 * A Scheduler that forwards every call to the real one and reports what happened:
 * token counts and decode time of finished generations, and model loads that failed.
 * registerMonitoring puts it in ctx.scheduler before the server listens; every route
 * reads ctx.scheduler per request, so /api/* and /v1/* are all observed without the
 * route modules knowing about monitoring.
 */
import type {
  EmbedJob,
  EmbedResult,
  GenerateEvent,
  GenerateJob,
  LoadJob,
  Scheduler,
  SchedulerStats
} from '../runtime/scheduler';
import type { ProcessModel } from '#protocol/ollama/types';
import type { ModelStore } from '../store/model-store';
import { httpStatusOf } from '../http/error-status';
import { currentRequestFacts } from './request-facts';
import type { Monitor } from './monitor';

/**
 * Client mistakes (4xx), cancellations (499) and a full queue or shutdown (503) are not
 * load failures; anything else before the first token is, unless the model is resident.
 */
function mayBeLoadFailure(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status < 500 || status === 503) return false;
  return !(error instanceof Error && error.name === 'AbortError');
}

export class InstrumentedScheduler implements Scheduler {
  constructor(
    private readonly inner: Scheduler,
    private readonly store: Pick<ModelStore, 'resolve'>,
    private readonly monitor: Monitor
  ) {}

  /** The scheduler this one decorates (the status page and tests may want the real one). */
  get wrapped(): Scheduler {
    return this.inner;
  }

  ps(): ProcessModel[] {
    return this.inner.ps();
  }

  stats(): SchedulerStats {
    return this.inner.stats();
  }

  async load(job: LoadJob): Promise<{ model: string; loadDurationNs: number }> {
    try {
      const result = await this.inner.load(job);
      this.monitor.recordLoadSuccess(result.model);
      return result;
    } catch (error) {
      await this.noteFailure(job.model, error);
      throw error;
    }
  }

  unload(model: string): Promise<boolean> {
    return this.inner.unload(model);
  }

  async *generate(job: GenerateJob): AsyncGenerator<GenerateEvent> {
    const facts = currentRequestFacts();
    let started = false;
    try {
      for await (const event of this.inner.generate(job)) {
        started = true;
        if (event.type === 'done') {
          const { model, metrics } = event.result;
          const sample = {
            model,
            promptTokens: metrics.prompt_eval_count,
            evalTokens: metrics.eval_count,
            evalDurationNs: metrics.eval_duration
          };
          this.monitor.recordGeneration(sample);
          if (facts) Object.assign(facts, sample);
        }
        yield event;
      }
    } catch (error) {
      if (!started) await this.noteFailure(job.model, error);
      throw error;
    }
  }

  async embed(job: EmbedJob): Promise<EmbedResult> {
    try {
      const result = await this.inner.embed(job);
      const sample = {
        model: result.model,
        promptTokens: result.promptEvalCount,
        evalTokens: 0,
        evalDurationNs: 0
      };
      this.monitor.recordGeneration(sample);
      const facts = currentRequestFacts();
      if (facts) Object.assign(facts, sample);
      return result;
    } catch (error) {
      await this.noteFailure(job.model, error);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async noteFailure(requested: string, error: unknown): Promise<void> {
    if (!mayBeLoadFailure(error)) return;
    const name = await this.store.resolve(requested).then(
      (resolved) => resolved.name,
      () => undefined
    );
    if (name === undefined) return; // unknown model: a 404, not a load failure
    // A failure while the model is resident happened after loading (e.g. in decoding).
    if (this.inner.ps().some((loaded) => loaded.name === name)) return;
    this.monitor.recordLoadFailure(name, error);
  }
}
