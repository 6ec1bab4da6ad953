/**
 * The token loop for one request on one context sequence: reuse the cached prefix,
 * evaluate the prompt, sample until EOS / a stop string / the token limit / abort, and
 * stream text that is safe to show (text that might be the start of a stop string is
 * held back until it is known not to be one).
 */
import {
  LlamaGrammarEvaluationState,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token
} from 'node-llama-cpp';
import type { Options } from '#protocol/ollama/types';
import { CanceledError, InvalidInputError } from '../domain-errors';
import { AnswerText, answerRules } from './answer-text';
import type { DecodeGate } from './decode-gate';
import { samplerOptions, tokenLimit } from './sampling';

export interface GenerationRequest {
  sequence: LlamaContextSequence;
  model: LlamaModel;
  tokens: Token[];
  options: Options;
  /** The slot's num_ctx (clamped to the model's training context); bounds the answer. */
  numCtx: number;
  stop: string[];
  grammar?: LlamaGrammar;
  signal: AbortSignal;
  /** The context's decode gate, so parallel streams share decode calls. */
  gate?: DecodeGate;
}

export interface GenerationOutcome {
  doneReason: 'stop' | 'length';
  text: string;
  promptTokens: Token[];
  outputTokens: Token[];
  promptEvalNs: number;
  evalNs: number;
}

/** Thrown where a generation or embedding notices that its caller went away. */
export class AbortedError extends CanceledError {}

/** Ollama's wording for an over-long input when the client asked not to truncate. */
export const INPUT_TOO_LONG = 'the input length exceeds the context length';

/** How many prompt tokens a context holds while leaving room to generate. */
function promptRoom(contextSize: number): number {
  return Math.max(1, contextSize - 1);
}

/**
 * The prompt's tokens within the context: the oldest dropped (keeping BOS), or — when the
 * caller asked not to truncate — refused, so it can decide what to leave out itself.
 */
export function fitPrompt(
  tokens: Token[],
  contextSize: number,
  bos: Token | null,
  truncate = true
): Token[] {
  const room = promptRoom(contextSize);
  if (tokens.length > room && !truncate) throw new InvalidInputError(INPUT_TOO_LONG);
  if (tokens.length <= room) return tokens;
  const keepBos = bos !== null && tokens[0] === bos;
  const tail = tokens.slice(tokens.length - (keepBos ? room - 1 : room));
  return keepBos ? [bos, ...tail] : tail;
}

/** The model's vocabulary size from its GGUF metadata; undefined when the file does not say. */
export function vocabularySize(model: LlamaModel): number | undefined {
  const tokens: unknown = model.fileInfo.metadata.tokenizer?.ggml?.tokens;
  return Array.isArray(tokens) && tokens.length > 0 ? tokens.length : undefined;
}

/**
 * Refuses token ids the model has no embedding for. llama.cpp would only fail the whole
 * evaluation ("Eval has failed"), which says nothing about which input was wrong.
 */
export function assertKnownTokens(tokens: readonly number[], model: LlamaModel, field: string) {
  const size = vocabularySize(model);
  if (size === undefined) return;
  const bad = tokens.find((token) => !Number.isInteger(token) || token < 0 || token >= size);
  if (bad !== undefined)
    throw new InvalidInputError(
      `${field} contains token id ${bad}, which is not in the model's vocabulary (ids 0 to ${size - 1})`
    );
}

export async function* generateTokens(
  request: GenerationRequest
): AsyncGenerator<string, GenerationOutcome> {
  const { sequence, model, options, signal } = request;
  const promptTokens = fitPrompt(request.tokens, sequence.contextSize, model.tokens.bos);
  const limit = tokenLimit(options, request.numCtx, promptTokens.length);
  const grammar = request.grammar;
  const answer = new AnswerText(answerRules(request.stop, options, grammar));

  const outputTokens: Token[] = [];
  const history = () => [...promptTokens, ...outputTokens];
  const started = performance.now();
  let firstTokenAt: number | undefined;
  let doneReason: 'stop' | 'length' = 'stop';
  const partial: Token[] = [];

  const finish = (): GenerationOutcome => {
    const end = performance.now();
    const firstAt = firstTokenAt ?? end;
    return {
      doneReason,
      text: answer.emitted,
      promptTokens,
      outputTokens,
      promptEvalNs: Math.round((firstAt - started) * 1e6),
      evalNs: Math.round((end - firstAt) * 1e6)
    };
  };

  if (limit === 0) {
    doneReason = 'length';
    return finish();
  }

  // Reuse whatever prefix this slot already holds (the last request's prompt, often).
  const last = promptTokens[promptTokens.length - 1];
  await sequence.adaptStateToTokens(promptTokens.slice(0, -1), false);
  const reused = Math.min(sequence.nextTokenIndex, promptTokens.length - 1);
  const evaluation = sequence.evaluate([...promptTokens.slice(reused, -1), last], {
    ...samplerOptions(options, history),
    grammarEvaluationState: grammar
      ? new LlamaGrammarEvaluationState({ model, grammar })
      : undefined
  });

  const endRun = request.gate?.start();
  try {
    for await (const token of evaluation) {
      if (signal.aborted) throw new AbortedError();
      firstTokenAt ??= performance.now();
      outputTokens.push(token);
      partial.push(token);
      const context = history().slice(-(partial.length + 8), -partial.length);
      const piece = model.detokenize(partial, false, context);
      // An incomplete UTF-8 sequence: wait for the token that finishes the character.
      if (piece.endsWith('\uFFFD') && partial.length < 4) {
        if (outputTokens.length < limit) continue;
        doneReason = 'length';
        break;
      }
      partial.length = 0;
      const ready = answer.push(piece);
      if (ready) yield ready;
      if (answer.stopped) {
        doneReason = 'stop';
        break;
      }
      if (outputTokens.length >= limit) {
        doneReason = 'length';
        break;
      }
    }
  } finally {
    endRun?.();
    // Closing the iterator releases the sequence's evaluation lock at once.
    await evaluation.return(undefined);
  }
  if (signal.aborted) throw new AbortedError();

  const rest = answer.end();
  if (rest) yield rest;
  return finish();
}
