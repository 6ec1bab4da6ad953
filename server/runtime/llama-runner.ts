/**
 * The runner over node-llama-cpp: one model, one context whose sequences are the slots.
 * The prompt, grammar and tool calls are answer-run.ts's; this runs the token loop in-process.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { LlamaContextSequence } from 'node-llama-cpp';
import type { ServerConfig } from '../config';
import type { Options } from '#protocol/ollama/types';
import type { ResolvedModel } from '../store/model-store';
import { Embedder } from './embed';
import { answerWithTools, prepareAnswer } from './answer-run';
import { generateTokens } from './generate';
import {
  disposeWeights,
  effectiveContext,
  loadWeights,
  sharedLlama,
  type LoadedWeights
} from './llama-loader';
import type { ModelRunner, RunOutcome, RunnerLoader } from './runner';
import type { EmbedJob, GenerateJob } from './scheduler';

export function llamaRunnerLoader(config: ServerConfig, log: FastifyBaseLogger): RunnerLoader {
  return async (request) => {
    const llama = await sharedLlama(config.threads, log);
    const weights = await loadWeights(llama, {
      modelPath: request.resolved.modelPath,
      contextLength: request.contextLength,
      sequences: request.sequences,
      threads: request.threads
    });
    return new LlamaRunner(request.resolved, weights, request.sequences);
  };
}

class LlamaRunner implements ModelRunner {
  private readonly sequences: LlamaContextSequence[];
  private readonly embedder: Embedder;

  constructor(
    private readonly resolved: ResolvedModel,
    private readonly weights: LoadedWeights,
    sequences: number
  ) {
    this.sequences = Array.from({ length: sequences }, () => weights.context.getSequence());
    this.embedder = new Embedder(
      () => Promise.resolve(weights.model),
      weights.contextSize,
      weights.threads
    );
  }

  get contextSize(): number {
    return this.weights.contextSize;
  }

  numCtxFor(contextLength: number): number {
    return effectiveContext(contextLength, this.weights.model.trainContextSize);
  }

  async *generate(
    slot: number,
    job: GenerateJob,
    options: Options
  ): AsyncGenerator<string, RunOutcome> {
    const { model, numCtx } = this.weights;
    const sequence = this.sequences[slot];
    const prepared = await prepareAnswer(job, this.resolved, model, sequence.contextSize);
    return yield* answerWithTools(
      job,
      generateTokens({
        sequence,
        model,
        tokens: prepared.tokens,
        options,
        numCtx,
        stop: prepared.stop,
        grammar: prepared.grammar,
        signal: job.signal,
        gate: this.weights.gate
      })
    );
  }

  embed(job: EmbedJob): Promise<{ embeddings: number[][]; tokenCount: number }> {
    return this.embedder.embed(job);
  }

  async dispose(): Promise<void> {
    await this.embedder.dispose();
    await disposeWeights(this.weights);
  }
}
