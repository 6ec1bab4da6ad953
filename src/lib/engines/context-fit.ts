/**
 * A conversation longer than the model's context window. Every engine reports it the same
 * way (EngineError 'context-full'), whatever its own words: Ollama's and Hearth's "the
 * input length exceeds the context length", llama.cpp's "the request exceeds the
 * available context size", web-llm's ContextWindowSizeExceededError.
 *
 * What happens then follows Ollama's `truncate`: unset or true, the oldest turns are
 * dropped until the rest fits (system messages and the last question always stay); false,
 * the refusal reaches the caller, which decides itself — the chat asks its reader.
 */
import type { ChatRequest, Message } from '#protocol/ollama/types';
import { EngineError } from './engine';

const OVERFLOW =
  /exceeds? the (available )?context (size|length)|exceed context window|ContextWindowSizeExceeded/i;

/** The engine-neutral refusal for an error that says the prompt does not fit; else null. */
export function contextFullError(error: unknown): EngineError | null {
  if (error instanceof EngineError) return error.code === 'context-full' ? error : null;
  const e = error as { name?: string; message?: string } | undefined;
  const message = e?.message ?? String(error);
  if (!OVERFLOW.test(`${e?.name ?? ''} ${message}`)) return null;
  return new EngineError(
    'context-full',
    `The conversation is longer than the model's context window (${message.trim()})`,
    { cause: error }
  );
}

/**
 * How many messages, counted from the first one after the system prompt, make up the
 * oldest turn that may be dropped: a question with its answers (and tool results) up to
 * the next question. 0 when only the last question is left (it is what is being asked).
 */
export function oldestTurnLength(messages: readonly Pick<Message, 'role'>[]): number {
  const first = messages.findIndex((m) => m.role !== 'system');
  const lastQuestion = messages.findLastIndex((m) => m.role === 'user');
  if (first < 0 || lastQuestion <= first) return 0;
  const next = messages.findIndex((m, i) => i > first && m.role === 'user');
  return next - first;
}

/** The messages without their oldest turn; null when nothing can be dropped. */
export function withoutOldestTurn(messages: readonly Message[]): Message[] | null {
  const length = oldestTurnLength(messages);
  if (length === 0) return null;
  const first = messages.findIndex((m) => m.role !== 'system');
  return [...messages.slice(0, first), ...messages.slice(first + length)];
}

/**
 * Streams `run`; each time the engine refuses the prompt as too long before anything was
 * streamed, asks `letGo` to drop the oldest turn and runs again. `letGo` answers false
 * when nothing may or can be dropped, and the refusal stands.
 */
export async function* withinContext<T>(
  run: () => AsyncIterable<T>,
  letGo: () => boolean | Promise<boolean>
): AsyncGenerator<T> {
  for (;;) {
    let started = false;
    try {
      for await (const chunk of run()) {
        started = true;
        yield chunk;
      }
      return;
    } catch (error) {
      const full = contextFullError(error);
      if (!full) throw error;
      if (started || !(await letGo())) throw full;
    }
  }
}

/** An engine's chat with Ollama's `truncate`: unless it is false, oldest turns go first. */
export function chatWithinContext<T>(
  messages: Message[],
  truncate: ChatRequest['truncate'],
  run: (messages: Message[]) => AsyncIterable<T>
): AsyncGenerator<T> {
  let fitting = messages;
  return withinContext(
    () => run(fitting),
    () => {
      const fewer = truncate === false ? null : withoutOldestTurn(fitting);
      if (fewer) fitting = fewer;
      return fewer !== null;
    }
  );
}
