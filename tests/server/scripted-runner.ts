/**
 * A runner the test drives by hand, for the scheduler's own behaviour (slots, queue,
 * keep_alive, eviction, cancellation) without a model: loads finish when the test says,
 * and a generation emits one word per `step()` until it is told to finish or aborted.
 * Real-model scheduling is covered by scheduler.test.ts.
 */
import type { ModelRunner, RunOutcome, RunnerLoadRequest } from '../../server/runtime/runner';
import { AbortedError } from '../../server/runtime/generate';
import type { EmbedJob, GenerateJob } from '../../server/runtime/scheduler';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One generation in progress, as the test sees it. */
export interface ScriptedRun {
  model: string;
  slot: number;
  job: GenerateJob;
  /** Emits one more word. */
  step(word?: string): void;
  /** Ends the generation with done_reason "stop". */
  finish(): void;
}

export interface PendingLoad {
  request: RunnerLoadRequest;
  succeed(): void;
  fail(error: Error): void;
}

export class ScriptedRunners {
  /** Loads not yet finished (instant loads skip this list). */
  readonly pending: PendingLoad[] = [];
  readonly runs: ScriptedRun[] = [];
  readonly loaded: string[] = [];
  readonly disposed: string[] = [];
  /** When true, loads wait for `pending[i].succeed()`. */
  holdLoads = false;

  readonly load = (request: RunnerLoadRequest): Promise<ModelRunner> => {
    const done = deferred<ModelRunner>();
    const succeed = () => {
      this.loaded.push(request.resolved.name);
      done.resolve(this.runner(request));
    };
    if (this.holdLoads) this.pending.push({ request, succeed, fail: done.reject });
    else succeed();
    return done.promise;
  };

  /** The runs still going (not aborted, not told to finish). */
  active(): ScriptedRun[] {
    return this.runs.filter((run) => !run.job.signal.aborted && !this.finished.has(run));
  }

  private readonly finished = new Set<ScriptedRun>();

  private runner(request: RunnerLoadRequest): ModelRunner {
    const name = request.resolved.name;
    const contextSize = request.contextLength > 0 ? request.contextLength : 512;
    const runs = this.runs;
    const finished = this.finished;
    const disposed = this.disposed;
    return {
      contextSize,
      numCtxFor: (contextLength) => (contextLength > 0 ? contextLength : 512),
      async *generate(slot: number, job: GenerateJob): AsyncGenerator<string, RunOutcome> {
        const words: string[] = [];
        let wake = deferred<'word' | 'finish'>();
        let queued: ('word' | 'finish')[] = [];
        const run: ScriptedRun = {
          model: name,
          slot,
          job,
          step(word = 'word') {
            words.push(word);
            queued.push('word');
            wake.resolve('word');
          },
          finish() {
            finished.add(run);
            queued.push('finish');
            wake.resolve('finish');
          }
        };
        runs.push(run);
        const abort = () => wake.reject(new AbortedError());
        job.signal.addEventListener('abort', abort, { once: true });
        try {
          let emitted = 0;
          for (;;) {
            if (job.signal.aborted) throw new AbortedError();
            if (queued.length === 0) {
              await wake.promise;
              wake = deferred();
            }
            const next = queued;
            queued = [];
            for (const event of next) {
              if (event === 'finish') {
                return {
                  doneReason: 'stop',
                  text: words.join(' '),
                  context: [],
                  counts: {
                    prompt_eval_count: 1,
                    prompt_eval_duration: 1,
                    eval_count: emitted,
                    eval_duration: 1
                  }
                };
              }
              yield words[emitted++];
            }
          }
        } finally {
          finished.add(run);
          job.signal.removeEventListener('abort', abort);
        }
      },
      async embed(job: EmbedJob) {
        return { embeddings: job.input.map(() => [1]), tokenCount: job.input.length };
      },
      async dispose() {
        disposed.push(name);
      }
    };
  }
}
