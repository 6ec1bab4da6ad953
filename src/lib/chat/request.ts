/** Pure helpers between stored conversations and the engine's Ollama-shaped requests. */
import type { ChatRequest, ChatResponse, Message, Metrics } from '#protocol/ollama/types';
import type { Conversation } from '../store/db';
import type { ChatMessage } from '../store/conversations';
import type { EngineKind } from '../engines/engine';
import { buildOptions } from './params';

const TITLE_MAX = 40;

/** A conversation title from its first user message: first non-blank line, ~40 characters. */
export function autoTitle(text: string): string {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l.length > 0);
  if (!line) return '';
  // Count code points, not UTF-16 units, so CJK and emoji are never cut in half.
  const chars = Array.from(line);
  return chars.length <= TITLE_MAX ? line : chars.slice(0, TITLE_MAX).join('').trimEnd() + '…';
}

/** How much of the first answer a title request shows the model. */
const TITLE_CONTEXT_CHARS = 600;

/**
 * The request that names a conversation after its first exchange, asked of the model that
 * answered it: short, in the user's language, greedy-ish so it does not ramble.
 */
export function titleRequest(modelId: string, question: string, answer: string): ChatRequest {
  const excerpt = (text: string) => Array.from(text).slice(0, TITLE_CONTEXT_CHARS).join('');
  return {
    model: modelId,
    stream: true,
    messages: [
      {
        role: 'system',
        content:
          'You name conversations. Reply with a title of at most six words for the ' +
          'conversation below, written in the language of the user message. Reply with ' +
          'the title only: no quotes, no explanation.'
      },
      {
        role: 'user',
        content: `User message:\n${excerpt(question)}\n\nAssistant answer:\n${excerpt(answer)}`
      }
    ],
    options: { temperature: 0.2, num_predict: 24 }
  };
}

/** A model's title reply as a title: its first line, without markup, quotes or a "Title:" label. */
export function cleanTitle(reply: string): string {
  const line =
    reply
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  const bare = line
    .replace(/[*`]+/g, '')
    .replace(/^#+\s*/, '')
    .replace(/^(title|标题)\s*[:：]\s*/i, '')
    .replace(/^["'“”‘’「『《]+|["'“”‘’」』》。.!！]+$/gu, '')
    .trim();
  return autoTitle(bare);
}

/**
 * Where the model's view of the conversation starts (an index into `history`): the first
 * message at or after `contextFrom`, never past the last question (an edit may have
 * removed the messages that followed it).
 */
export function contextStart(history: readonly ChatMessage[], contextFrom?: number): number {
  if (contextFrom === undefined) return 0;
  const lastQuestion = history.findLastIndex((m) => m.role === 'user');
  const first = history.findIndex((m) => m.seq >= contextFrom);
  const start = first < 0 ? history.length : first;
  return lastQuestion < 0 ? start : Math.min(start, lastQuestion);
}

/**
 * The request for the next answer: the system prompt, then the history from where the
 * model's view starts. Failed or empty answers are left out so a retried error does not
 * teach the model a blank reply. `truncate: false`: a history past the context window is
 * refused rather than cut where the reader cannot see it (the chat asks what to drop).
 *
 * When the history ends with an assistant message, the request asks for that answer to be
 * continued, with Ollama's meaning: /api/chat renders a final assistant message as the
 * start of the reply, so the model writes on from its last token. Each engine honours it
 * as faithfully as it can (see the engines' prompt shaping). `modelContext` is the
 * model's trained context, which bounds the answer-length cap.
 */
export function buildChatRequest(
  modelId: string,
  conversation: Pick<Conversation, 'systemPrompt' | 'options' | 'contextFrom'>,
  history: readonly ChatMessage[],
  modelContext?: number
): ChatRequest {
  const messages: Message[] = [];
  const system = conversation.systemPrompt.trim();
  if (system) messages.push({ role: 'system', content: system });
  for (const m of history.slice(contextStart(history, conversation.contextFrom))) {
    if (m.role === 'assistant' && (m.error || m.content.length === 0)) continue;
    messages.push({ role: m.role, content: m.content });
  }
  return {
    model: modelId,
    messages,
    stream: true,
    truncate: false,
    options: buildOptions(conversation.options, modelContext)
  };
}

export type AnswerStats = NonNullable<ChatMessage['stats']>;

/**
 * Stats for the line under an answer (durations in ns): from the stream's final chunk, or
 * from the chat's own count when it had none.
 */
export function statsFromFinal(
  metrics: ChatResponse | Metrics,
  engine: EngineKind,
  modelId: string
): AnswerStats {
  const stats: AnswerStats = { engine, modelId };
  for (const key of [
    'total_duration',
    'load_duration',
    'prompt_eval_count',
    'prompt_eval_duration',
    'eval_count',
    'eval_duration'
  ] as const) {
    const value = metrics[key];
    if (typeof value === 'number' && Number.isFinite(value)) stats[key] = value;
  }
  if (stats.eval_count !== undefined && stats.eval_duration) {
    stats.tokensPerSecond = (stats.eval_count / stats.eval_duration) * 1e9;
  }
  return stats;
}

const SUMMED = ['total_duration', 'load_duration', 'eval_count', 'eval_duration'] as const;

/**
 * The stats of an answer written in several runs (Continue): tokens and time add up, so
 * the count and tok/s describe the whole answer; the prompt figures are the latest run's.
 */
export function mergeStats(before: AnswerStats | undefined, after: AnswerStats): AnswerStats {
  if (!before) return after;
  const merged: AnswerStats = { ...after };
  for (const key of SUMMED) {
    if (before[key] !== undefined || after[key] !== undefined) {
      merged[key] = (before[key] ?? 0) + (after[key] ?? 0);
    }
  }
  delete merged.tokensPerSecond;
  if (merged.eval_count !== undefined && merged.eval_duration) {
    merged.tokensPerSecond = (merged.eval_count / merged.eval_duration) * 1e9;
  }
  return merged;
}
