/**
 * The runner over llama.cpp's own server: the model's slots live in a supervised
 * llama-server process (./llama-server-process), which decodes and batches parallel
 * streams in native code; measured, node-llama-cpp's token loop reached half of
 * llama-server's decode speed on small models and batched four streams less well.
 *
 * Hearth keeps everything that makes it Ollama-compatible: the vocabulary is opened
 * in-process (no weights) to build prompts with the model's template and tokenizer,
 * compile `format` grammars and check `context` tokens, so both runners send the same
 * tokens. Embeddings run in-process on weights opened on first use (llama-server would
 * need a second process for them).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { LlamaModel } from 'node-llama-cpp';
import type { Options } from '#protocol/ollama/types';
import type { ServerConfig } from '../config';
import type { ResolvedModel } from '../store/model-store';
import { answerWithTools, prepareAnswer } from './answer-run';
import { Embedder } from './embed';
import { effectiveContext, sharedLlama } from './llama-loader';
import { completeOnServer } from './llama-server-completion';
import { LlamaServerProcess, stopOrphanedRunners } from './llama-server-process';
import type { ModelRunner, RunOutcome, RunnerLoader } from './runner';
import { tokenLimit } from './sampling';
import type { EmbedJob, GenerateJob } from './scheduler';

/** Longest a model may take to load (big GGUFs on slow disks take minutes). */
const START_TIMEOUT_MS = 10 * 60_000;

/** The context the model was trained for, from its GGUF (a vocabulary-only model has no other). */
function trainedContext(model: LlamaModel): number {
  return model.fileInsights.trainContextSize ?? 0;
}

export function llamaServerRunnerLoader(
  binary: string,
  config: ServerConfig,
  log: FastifyBaseLogger
): RunnerLoader {
  const orphans = stopOrphanedRunners();
  if (orphans > 0) log.warn({ orphans }, 'stopped llama-servers left by a Hearth that died');
  return async (request) => {
    const llama = await sharedLlama(config.threads, log);
    const modelPath = request.resolved.modelPath;
    const vocabulary = await llama.loadModel({ modelPath, vocabOnly: true });
    try {
      const contextPerSlot = effectiveContext(request.contextLength, trainedContext(vocabulary));
      const server = await LlamaServerProcess.start({
        binary,
        modelPath,
        threads: request.threads,
        slots: request.sequences,
        contextPerSlot,
        startTimeoutMs: START_TIMEOUT_MS
      });
      void server.exited.then(() => {
        if (server.exitReason !== 'unloaded')
          log.error({ model: request.resolved.name }, server.exitReason);
      });
      return new LlamaServerRunner(
        request.resolved,
        vocabulary,
        server,
        contextPerSlot,
        request.threads
      );
    } catch (error) {
      await vocabulary.dispose();
      throw error;
    }
  };
}

class LlamaServerRunner implements ModelRunner {
  private readonly embedder: Embedder;
  private weights?: Promise<LlamaModel>;

  constructor(
    private readonly resolved: ResolvedModel,
    private readonly vocabulary: LlamaModel,
    private readonly server: LlamaServerProcess,
    readonly contextSize: number,
    threads: number
  ) {
    this.embedder = new Embedder(
      () => (this.weights ??= vocabulary.llama.loadModel({ modelPath: resolved.modelPath })),
      contextSize,
      threads
    );
  }

  get alive(): boolean {
    return this.server.exitReason === undefined;
  }

  numCtxFor(contextLength: number): number {
    return effectiveContext(contextLength, trainedContext(this.vocabulary));
  }

  async *generate(
    slot: number,
    job: GenerateJob,
    options: Options
  ): AsyncGenerator<string, RunOutcome> {
    if (this.server.exitReason) throw new Error(this.server.exitReason);
    const prepared = await prepareAnswer(job, this.resolved, this.vocabulary, this.contextSize);
    const tokens = prepared.tokens;
    return yield* answerWithTools(
      job,
      completeOnServer({
        server: this.server,
        slot,
        tokens,
        limit: tokenLimit(options, this.contextSize, tokens.length),
        options,
        stop: prepared.stop,
        grammar: prepared.grammar,
        signal: job.signal
      })
    );
  }

  embed(job: EmbedJob): Promise<{ embeddings: number[][]; tokenCount: number }> {
    return this.embedder.embed(job);
  }

  async dispose(): Promise<void> {
    await this.embedder.dispose();
    const weights = await this.weights?.catch(() => undefined);
    await weights?.dispose();
    await this.server.stop();
    await this.vocabulary.dispose();
  }
}
