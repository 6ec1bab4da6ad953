/**
 * Prompt shaping shared by the local engines. Base models (no chat template, e.g.
 * stories260K) cannot follow a chat transcript, so a chat request becomes a plain
 * completion of the last user message, as the browser contract specifies.
 */
import type { ChatRequest, GenerateRequest, Message } from '#protocol/ollama/types';
import { EngineError } from './engine';

/**
 * prompt = (system prompt + "\n\n" if any) + the last user message's content. A final
 * assistant message (a cut answer to continue, Ollama's meaning) follows it verbatim:
 * that answer was itself a completion of this prompt, so the model writes on from its
 * last token exactly as if it had never stopped.
 */
export function completionPromptFromChat(messages: Message[] | undefined): string {
  const list = messages ?? [];
  const system = list
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n')
    .trim();
  const lastUserIndex = list.findLastIndex((m) => m.role === 'user');
  const user = list[lastUserIndex]?.content ?? '';
  const last = list.at(-1);
  const partial = lastUserIndex >= 0 && last?.role === 'assistant' ? last.content : '';
  return (system ? `${system}\n\n${user}` : user) + partial;
}

/** /api/generate semantics: `system` is prepended the same way; `raw` skips nothing here
 * because base-model completion never had a template to skip. */
export function completionPromptFromGenerate(request: GenerateRequest): string {
  const prompt = request.prompt ?? '';
  const system = request.system?.trim();
  return system ? `${system}\n\n${prompt}` : prompt;
}

/** Text-only engines refuse images up front instead of silently dropping them. */
export function assertTextOnly(request: ChatRequest | GenerateRequest): void {
  const hasImages =
    ('images' in request && (request.images?.length ?? 0) > 0) ||
    ('messages' in request && (request.messages ?? []).some((m) => (m.images?.length ?? 0) > 0));
  if (hasImages)
    throw new EngineError('not-supported', 'This model reads text only; images are not supported.');
}
