/**
 * Embeddings on a loaded model: one vector per input, L2-normalized like Ollama's, with
 * over-long inputs truncated to the context (or refused with a 400 when truncate is false).
 */
import type { LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import { InvalidInputError } from '../domain-errors';
import { AbortedError, INPUT_TOO_LONG } from './generate';
import type { EmbedJob } from './scheduler';
import { charBudget, tokenizeInPieces } from './tokenize';

export function normalize(vector: readonly number[]): number[] {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  return norm === 0 ? Array.from(vector) : vector.map((v) => v / norm);
}

/** Ollama's `dimensions`: keep the first n values, then renormalize. */
export function truncateDimensions(vector: number[], dimensions: number | undefined): number[] {
  if (!dimensions || dimensions >= vector.length) return vector;
  return normalize(vector.slice(0, dimensions));
}

/**
 * One input's tokens, cut to fit when allowed. The embedding context adds BOS (and EOS
 * where the vocabulary wants one) and refuses input that fills the whole context, so the
 * room is measured on what it will really evaluate: one token less than the context.
 */
export async function fitEmbeddingInput(
  model: LlamaModel,
  context: Pick<LlamaEmbeddingContext, 'calculateInputLength'>,
  contextSize: number,
  input: string,
  truncate: boolean
): Promise<Token[]> {
  // Tokenizing runs on the event loop (in pieces, see ./tokenize): text longer than any
  // context could hold is cut, or refused, before any of it is tokenized.
  const longest = charBudget(contextSize);
  if (input.length > longest) {
    if (!truncate) throw new InvalidInputError(INPUT_TOO_LONG);
    input = input.slice(0, longest);
  }
  const tokens = await tokenizeInPieces(model.tokenizer, input, { special: false });
  const bos = model.tokens.bos;
  if (model.tokens.shouldPrependBosToken && bos !== null) tokens.unshift(bos);
  const evaluated = context.calculateInputLength(tokens);
  const room = contextSize - 1;
  if (evaluated <= room) return tokens;
  if (!truncate) throw new InvalidInputError(INPUT_TOO_LONG);
  // Cut from the end, as Ollama does; an end token the context appends comes after the cut.
  return tokens.slice(0, Math.max(1, tokens.length - (evaluated - room)));
}

export async function embedAll(
  model: LlamaModel,
  context: LlamaEmbeddingContext,
  contextSize: number,
  inputs: string[],
  truncate: boolean,
  signal: AbortSignal
): Promise<{ embeddings: number[][]; tokenCount: number }> {
  // Checked for every input before any is embedded: a refusal must not waste the work.
  const fitted: Token[][] = [];
  for (const input of inputs) {
    if (signal.aborted) throw new AbortedError();
    fitted.push(await fitEmbeddingInput(model, context, contextSize, input, truncate));
  }
  const embeddings: number[][] = [];
  let tokenCount = 0;
  for (const tokens of fitted) {
    if (signal.aborted) throw new AbortedError();
    tokenCount += tokens.length;
    const embedding = await context.getEmbeddingFor(tokens);
    embeddings.push(normalize(embedding.vector));
  }
  return { embeddings, tokenCount };
}

/**
 * Embeddings for one loaded model: llama.cpp needs a context of its own for them, created
 * on first use; requests take turns on it.
 */
export class Embedder {
  private context?: Promise<LlamaEmbeddingContext>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** The model's weights (opened on first use by a runner that keeps them elsewhere). */
    private readonly model: () => Promise<LlamaModel>,
    private readonly contextSize: number,
    private readonly threads: number
  ) {}

  embed(job: EmbedJob): Promise<{ embeddings: number[][]; tokenCount: number }> {
    const run = this.queue.then(async () => {
      const model = await this.model();
      this.context ??= model.createEmbeddingContext({
        contextSize: this.contextSize,
        // llama.cpp pools an embedding within one batch, so a whole input must fit in one.
        batchSize: this.contextSize,
        threads: this.threads
      });
      const context = await this.context;
      return embedAll(
        model,
        context,
        this.contextSize,
        job.input,
        job.truncate ?? true,
        job.signal
      );
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    const context = await this.context?.catch(() => undefined);
    await context?.dispose();
  }
}
