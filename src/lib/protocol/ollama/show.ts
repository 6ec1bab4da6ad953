/**
 * What an /api/show answer says about a model's prompts, read the same way by the app
 * (may it be asked for a title?) and the server's self-check (do the chat checks apply?).
 */
import type { ShowResponse } from './types';

/** Ollama's default template: the prompt as is, which is what a base model gets. */
const BARE_TEMPLATE = /^\{\{-?\s*\.Prompt\s*-?\}\}$/;

/**
 * Whether a model follows a chat: its template goes beyond the bare prompt, or — without
 * one — its GGUF carries a chat template (which Hearth's server renders). Embedding
 * models do not chat at all.
 */
export function followsChat(show: ShowResponse): boolean {
  if (show.capabilities && !show.capabilities.includes('completion')) return false;
  const template = show.template?.trim();
  if (template) return !BARE_TEMPLATE.test(template);
  const jinja = show.model_info?.['tokenizer.chat_template'];
  return typeof jinja === 'string' && jinja.trim() !== '';
}
