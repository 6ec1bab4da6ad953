/**
 * Embeddings on a loaded model: one vector per input, L2-normalized like Ollama's, with
 * over-long inputs truncated to the context (or refused when truncate is false).
 */
import type { LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import { badRequest } from '../errors';

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

export async function embedAll(
  model: LlamaModel,
  context: LlamaEmbeddingContext,
  contextSize: number,
  inputs: string[],
  truncate: boolean,
  signal: AbortSignal
): Promise<{ embeddings: number[][]; tokenCount: number }> {
  const embeddings: number[][] = [];
  let tokenCount = 0;
  for (const input of inputs) {
    if (signal.aborted) throw new Error('request canceled');
    let tokens: Token[] = model.tokenize(input, false);
    const bos = model.tokens.bos;
    if (model.tokens.shouldPrependBosToken && bos !== null) tokens.unshift(bos);
    if (tokens.length > contextSize) {
      if (!truncate) throw badRequest('input length exceeds maximum context length');
      tokens = tokens.slice(0, contextSize);
    }
    tokenCount += tokens.length;
    const embedding = await context.getEmbeddingFor(tokens);
    embeddings.push(normalize(embedding.vector));
  }
  return { embeddings, tokenCount };
}
