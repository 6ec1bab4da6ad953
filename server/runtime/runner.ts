/**
 * What the scheduler needs from the engine that runs one loaded model: `sequences`
 * parallel slots, generation and embedding on them, and disposal. The scheduler decides
 * who gets a slot and for how long; a runner only runs. The node-llama-cpp runner is in
 * llama-runner.ts; the scheduler's tests pass a scripted one, so queueing, keep_alive,
 * eviction and cancellation are checked in milliseconds.
 */
import type { Metrics, Options } from '#protocol/ollama/types';
import type { ResolvedModel } from '../store/model-store';
import type { EmbedJob, GenerateJob, GenerateResult } from './scheduler';

export interface RunnerLoadRequest {
  resolved: ResolvedModel;
  /** Requested context length per slot (num_ctx or the server default; 0 = the model's own). */
  contextLength: number;
  threads: number;
  sequences: number;
}

/** A finished generation, before the scheduler adds the model name and its timings. */
export type RunOutcome = Omit<GenerateResult, 'model' | 'metrics'> & {
  counts: Required<
    Pick<Metrics, 'prompt_eval_count' | 'prompt_eval_duration' | 'eval_count' | 'eval_duration'>
  >;
};

export interface ModelRunner {
  /**
   * False once the runner can serve no more (its process died); the scheduler then loads
   * the model afresh for the next request. Absent: always true.
   */
  readonly alive?: boolean;
  /** Tokens each slot really holds. */
  readonly contextSize: number;
  /** The num_ctx a request for `contextLength` would get here: a different one needs a reload. */
  numCtxFor(contextLength: number): number;
  /** Streams text on slot `slot` (0 ≤ slot < sequences); the slot is the caller's alone. */
  generate(slot: number, job: GenerateJob, options: Options): AsyncGenerator<string, RunOutcome>;
  embed(job: EmbedJob): Promise<{ embeddings: number[][]; tokenCount: number }>;
  dispose(): Promise<void>;
}

export type RunnerLoader = (request: RunnerLoadRequest) => Promise<ModelRunner>;
