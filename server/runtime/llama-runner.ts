/**
 * The runner over node-llama-cpp: one model, one context whose sequences are the slots.
 * It turns a job into prompt tokens (template or chat wrapper), applies the format's
 * grammar, runs the token loop, and parses tool calls out of the answer.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { LlamaContextSequence } from 'node-llama-cpp';
import type { ServerConfig } from '../config';
import type { Options } from '#protocol/ollama/types';
import type { ResolvedModel } from '../store/model-store';
import { embedAll } from './embed';
import { assertKnownTokens, generateTokens } from './generate';
import { grammarFor } from './grammar';
import {
  disposeWeights,
  effectiveContext,
  embeddingContext,
  loadWeights,
  sharedLlama,
  type LoadedWeights
} from './llama-loader';
import { buildPrompt } from './prompt';
import type { ModelRunner, RunOutcome, RunnerLoader } from './runner';
import type { EmbedJob, GenerateJob } from './scheduler';
import { parseToolCalls } from './tool-calls';

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
  /** One embedding context per model: embedding requests take turns on it. */
  private embedQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly resolved: ResolvedModel,
    private readonly weights: LoadedWeights,
    sequences: number
  ) {
    this.sequences = Array.from({ length: sequences }, () => weights.context.getSequence());
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
    if (job.input.kind === 'generate' && job.input.context)
      assertKnownTokens(job.input.context, model, 'context');
    const prompt = await buildPrompt(job.input, this.resolved, model, sequence.contextSize);
    const grammar = await grammarFor(model.llama, job.format);
    const tools = job.input.kind === 'chat' ? (job.input.tools ?? []) : [];
    const run = generateTokens({
      sequence,
      model,
      tokens: prompt.tokens,
      options,
      numCtx,
      stop: prompt.stop,
      grammar,
      signal: job.signal,
      gate: this.weights.gate
    });
    let step = await run.next();
    while (!step.done) {
      // With tools the text may turn out to be a call, so it is held until the end.
      if (tools.length === 0) yield step.value;
      step = await run.next();
    }
    const outcome = step.value;
    const parsed = tools.length > 0 ? parseToolCalls(outcome.text, tools) : undefined;
    if (parsed && parsed.content) yield parsed.content;
    return {
      doneReason: outcome.doneReason,
      text: parsed ? parsed.content : outcome.text,
      toolCalls: parsed?.toolCalls.length ? parsed.toolCalls : undefined,
      context: [...outcome.promptTokens, ...outcome.outputTokens].map(Number),
      counts: {
        prompt_eval_count: outcome.promptTokens.length,
        prompt_eval_duration: outcome.promptEvalNs,
        eval_count: outcome.outputTokens.length,
        eval_duration: outcome.evalNs
      }
    };
  }

  embed(job: EmbedJob): Promise<{ embeddings: number[][]; tokenCount: number }> {
    const weights = this.weights;
    const run = this.embedQueue.then(async () =>
      embedAll(
        weights.model,
        await embeddingContext(weights),
        weights.contextSize,
        job.input,
        job.truncate ?? true,
        job.signal
      )
    );
    this.embedQueue = run.catch(() => undefined);
    return run;
  }

  dispose(): Promise<void> {
    return disposeWeights(this.weights);
  }
}
