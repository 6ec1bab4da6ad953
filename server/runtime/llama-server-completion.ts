/**
 * The token loop of one request, run by llama-server: Hearth's prompt tokens go to its
 * `/completion` on the request's slot (so the slot's cached prefix is reused), with
 * Ollama's options mapped onto llama.cpp's sampler, and its server-sent events come back
 * as text. Stop strings and the grammar's whitespace trim are applied by the same
 * AnswerText as the in-process loop, so both runners answer alike; llama-server is not
 * given the stop strings, as it drops text it held back as a possible stop string when the
 * token limit ends the answer there. A stop string found here ends its request instead.
 */
import type { LlamaGrammar, Token } from 'node-llama-cpp';
import type { Options } from '#protocol/ollama/types';
import { BusyError, InvalidInputError } from '../domain-errors';
import { AnswerText, answerRules } from './answer-text';
import { AbortedError, type GenerationOutcome } from './generate';
import type { LlamaServerProcess } from './llama-server-process';
import { samplingSettings } from './sampling';

export interface CompletionRequest {
  server: LlamaServerProcess;
  slot: number;
  tokens: Token[];
  limit: number;
  options: Options;
  stop: string[];
  grammar?: LlamaGrammar;
  signal: AbortSignal;
}

/** How long a dropped answer waits to learn whether llama-server exited, and why. */
const EXIT_WAIT_MS = 1000;

/** One event of llama-server's `/completion` stream (the fields Hearth reads). */
interface CompletionEvent {
  content?: string;
  tokens?: number[];
  stop?: boolean;
  stop_type?: 'none' | 'eos' | 'limit' | 'word';
  timings?: { prompt_ms?: number; predicted_ms?: number };
  error?: { code?: number; message?: string };
}

/** llama.cpp's sampler fields for Ollama's options (llama-server names). */
export function completionSampling(options: Options): Record<string, number> {
  const settings = samplingSettings(options);
  const fields: Record<string, number> = {
    temperature: settings.temperature,
    top_k: settings.topK,
    top_p: settings.topP,
    min_p: settings.minP,
    seed: settings.seed ?? -1,
    repeat_last_n: settings.penalty?.lastN ?? 0,
    repeat_penalty: settings.penalty?.repeat ?? 1,
    frequency_penalty: settings.penalty?.frequency ?? 0,
    presence_penalty: settings.penalty?.presence ?? 0
  };
  // llama.cpp has these, node-llama-cpp does not: passed on only when asked for.
  if (options.typical_p !== undefined) fields.typical_p = options.typical_p;
  if (options.mirostat !== undefined) fields.mirostat = options.mirostat;
  if (options.mirostat_tau !== undefined) fields.mirostat_tau = options.mirostat_tau;
  if (options.mirostat_eta !== undefined) fields.mirostat_eta = options.mirostat_eta;
  return fields;
}

/** Yields the JSON events of a server-sent event stream (`data: {…}` lines). */
async function* events(body: AsyncIterable<Buffer>): AsyncGenerator<CompletionEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('data:')) yield JSON.parse(line.slice(5)) as CompletionEvent;
    }
  }
}

/** The error llama-server answered with, as Hearth's own kind. */
function refusal(status: number, message: string): Error {
  if (status === 400) return new InvalidInputError(message);
  if (status === 503) return new BusyError(`the model's runner is busy: ${message}`);
  return new Error(`llama-server answered ${status}: ${message}`);
}

/** The message of an error response, read within bounds. */
async function errorMessage(response: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const bytes of response) {
    text += bytes.toString('utf8');
    if (text.length > 1000) break;
  }
  try {
    const parsed = JSON.parse(text) as CompletionEvent;
    return parsed.error?.message ?? text.slice(0, 1000);
  } catch {
    return text.slice(0, 1000);
  }
}

export async function* completeOnServer(
  request: CompletionRequest
): AsyncGenerator<string, GenerationOutcome> {
  const { server, options, signal } = request;
  const answer = new AnswerText(answerRules(request.stop, options, request.grammar));
  const outputTokens: Token[] = [];
  const started = performance.now();
  let firstTokenAt: number | undefined;
  let doneReason: 'stop' | 'length' = 'stop';
  let timings: CompletionEvent['timings'];
  /** Set by the stream's final event. */
  let ended = false;
  const finish = (): GenerationOutcome => {
    const end = performance.now();
    const firstAt = firstTokenAt ?? end;
    const ns = (ms: number | undefined, fallbackMs: number) => Math.round((ms ?? fallbackMs) * 1e6);
    return {
      doneReason,
      text: answer.emitted,
      promptTokens: request.tokens,
      outputTokens,
      promptEvalNs: ns(timings?.prompt_ms, firstAt - started),
      evalNs: ns(timings?.predicted_ms, end - firstAt)
    };
  };
  if (request.limit === 0) {
    doneReason = 'length';
    return finish();
  }

  // Our own controller too: closing the connection ends the request on llama-server.
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    const response = await server.post(
      '/completion',
      {
        prompt: request.tokens,
        n_predict: request.limit,
        id_slot: request.slot,
        cache_prompt: true,
        stream: true,
        return_tokens: true,
        grammar: request.grammar?.grammar,
        ...completionSampling(options)
      },
      controller.signal
    );
    const status = response.statusCode ?? 500;
    if (status !== 200) throw refusal(status, await errorMessage(response));
    for await (const event of events(response)) {
      if (event.error) throw refusal(event.error.code ?? 500, event.error.message ?? '');
      if (event.tokens?.length) {
        firstTokenAt ??= performance.now();
        outputTokens.push(...(event.tokens as Token[]));
      }
      const ready = answer.push(event.content ?? '');
      if (ready) yield ready;
      if (answer.stopped) break;
      if (event.stop) {
        ended = true;
        timings = event.timings;
        doneReason = event.stop_type === 'limit' ? 'length' : 'stop';
        break;
      }
    }
  } catch (error) {
    if (signal.aborted) throw new AbortedError();
    // A dying process shows first as a dropped connection; its exit says why.
    const reason = await server.exitReasonWithin(EXIT_WAIT_MS);
    if (reason) throw new Error(reason, { cause: error });
    throw error;
  } finally {
    signal.removeEventListener('abort', abort);
    controller.abort();
  }
  if (signal.aborted) throw new AbortedError();
  // A stream that closes without its final event was cut (llama-server stopped mid-answer):
  // an error, never an answer that looks complete.
  if (!ended && !answer.stopped)
    throw new Error(
      (await server.exitReasonWithin(EXIT_WAIT_MS)) ??
        'llama-server ended the answer without finishing it'
    );
  const rest = answer.end();
  if (rest) yield rest;
  return finish();
}
