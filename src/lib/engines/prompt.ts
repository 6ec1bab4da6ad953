/**
 * Prompt shaping shared by the local engines. Base models (no chat template, e.g.
 * stories260K) cannot follow a chat transcript, so a chat request becomes a plain
 * completion of the last user message, as the browser contract specifies.
 */
import type { ChatRequest, GenerateRequest, Message } from '../ollama/types';
import { EngineError } from './engine';

/** prompt = (system prompt + "\n\n" if any) + the last user message's content. */
export function completionPromptFromChat(messages: Message[] | undefined): string {
  const list = messages ?? [];
  const system = list
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n')
    .trim();
  const lastUser = [...list].reverse().find((m) => m.role === 'user');
  const user = lastUser?.content ?? '';
  return system ? `${system}\n\n${user}` : user;
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
