/**
 * What the two in-browser engines (wllama and web-llm) share once a run streams: both
 * speak OpenAI-style chunks underneath and turn them into engine-neutral pieces, which
 * become Ollama chat or generate chunks here, so the two cannot drift apart in shape.
 */
import type {
  ChatResponse,
  DoneReason,
  EmbedResponse,
  GenerateResponse,
  Metrics
} from '#protocol/ollama/types';
import { msToNs } from './metrics';

/** One streamed piece of a run; `done` is present on the last piece only. */
export interface RunPiece<D> {
  text: string;
  done?: D;
}

/** What the final chunk carries besides `done: true`. */
export type FinalFields = { done_reason: DoneReason } & Metrics;

/** One choice of an OpenAI-style chunk: chat completions send `delta`, completions `text`. */
export interface ChoiceLike {
  text?: string;
  delta?: { content?: string | null };
  finish_reason?: string | null;
}

export function choiceText(choice: ChoiceLike | undefined): string {
  return choice?.text ?? choice?.delta?.content ?? '';
}

export function finishToDoneReason(finish: string | null | undefined): DoneReason {
  if (finish === 'length') return 'length';
  if (finish === 'abort') return 'abort';
  return 'stop';
}

/**
 * `final` runs only when the last piece arrives: an engine charges its pending load time
 * to that chunk and must not do so earlier.
 */
export async function* chatChunks<D>(
  model: string,
  pieces: AsyncIterable<RunPiece<D>>,
  final: (done: D) => FinalFields
): AsyncGenerator<ChatResponse> {
  for await (const piece of pieces) {
    const base = { model, created_at: new Date().toISOString() };
    const message = { role: 'assistant' as const, content: piece.text };
    if (piece.done) yield { ...base, message, done: true, ...final(piece.done) };
    else yield { ...base, message, done: false };
  }
}

export async function* generateChunks<D>(
  model: string,
  pieces: AsyncIterable<RunPiece<D>>,
  final: (done: D) => FinalFields
): AsyncGenerator<GenerateResponse> {
  for await (const piece of pieces) {
    const base = { model, created_at: new Date().toISOString() };
    if (piece.done) yield { ...base, response: piece.text, done: true, ...final(piece.done) };
    else yield { ...base, response: piece.text, done: false };
  }
}

/** OpenAI-style embedding results may come back out of order; Ollama's are by input. */
export function embedResponse(
  model: string,
  data: ReadonlyArray<{ index: number; embedding: unknown }>,
  startedAt: number,
  promptTokens: number | undefined
): EmbedResponse {
  return {
    model,
    embeddings: [...data]
      .sort((a, b) => a.index - b.index)
      .map((d) => (Array.isArray(d.embedding) ? (d.embedding as number[]) : [])),
    total_duration: msToNs(performance.now() - startedAt),
    prompt_eval_count: promptTokens
  };
}
