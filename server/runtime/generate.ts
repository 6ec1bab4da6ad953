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

/** Drops the oldest prompt tokens (keeping BOS) so the prompt leaves room to generate. */
export function fitPrompt(tokens: Token[], contextSize: number, bos: Token | null): Token[] {
  const room = Math.max(1, contextSize - 1);
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

/** Length of the longest suffix of `text` that begins some stop string. */
export function heldBackLength(text: string, stops: string[]): number {
  let held = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > held; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        held = n;
        break;
      }
    }
  }
  return held;
}

export async function* generateTokens(
  request: GenerationRequest
): AsyncGenerator<string, GenerationOutcome> {
  const { sequence, model, options, signal } = request;
  const promptTokens = fitPrompt(request.tokens, sequence.contextSize, model.tokens.bos);
  // A template that renders nothing, on a model that adds no BOS, leaves nothing to evaluate.
  if (promptTokens.length === 0)
    throw new InvalidInputError('the prompt is empty after applying the template');
  const limit = tokenLimit(options, request.numCtx, promptTokens.length);
  const grammar = request.grammar;
  const stops = [
    ...new Set([...request.stop, ...(options.stop ?? [])].filter((s) => s.length > 0))
  ];
  for (const trigger of grammar?.stopGenerationTriggers ?? []) {
    const parts = (
      typeof trigger === 'string'
        ? [trigger]
        : Array.isArray(trigger)
          ? trigger
          : (trigger as unknown as { values: unknown[] }).values
    ) as readonly unknown[];
    const text = parts.filter((v): v is string => typeof v === 'string').join('');
    if (text) stops.push(text);
  }
  const trimSuffix = grammar?.trimWhitespaceSuffix === true;

  const outputTokens: Token[] = [];
  const history = () => [...promptTokens, ...outputTokens];
  const started = performance.now();
  let firstTokenAt: number | undefined;
  let doneReason: 'stop' | 'length' = 'stop';
  let emitted = '';
  let pending = '';
  const partial: Token[] = [];

  const finish = (): GenerationOutcome => {
    const end = performance.now();
    const firstAt = firstTokenAt ?? end;
    return {
      doneReason,
      text: emitted,
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
      pending += piece;

      const hit = firstStop(pending, stops);
      if (hit >= 0) {
        const text = pending.slice(0, hit);
        pending = '';
        emitted += text;
        if (text) yield text;
        doneReason = 'stop';
        break;
      }
      let held = heldBackLength(pending, stops);
      if (trimSuffix) held = Math.max(held, pending.length - pending.trimEnd().length);
      const ready = pending.slice(0, pending.length - held);
      pending = pending.slice(pending.length - held);
      if (ready) {
        emitted += ready;
        yield ready;
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

  const rest = trimSuffix ? pending.trimEnd() : pending;
  if (rest) {
    emitted += rest;
    yield rest;
  }
  return finish();
}

function firstStop(text: string, stops: string[]): number {
  let first = -1;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}
