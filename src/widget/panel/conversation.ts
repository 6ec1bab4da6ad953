/**
 * The conversation of one host page, kept in the visitor's browser (localStorage of the
 * host page's origin) so a reload or the next visit continues it. Storage can be full,
 * disabled or hold junk another script wrote: every failure just means "no history".
 */
import type { HearthWidgetMessage } from '../hearth-widget';

const MAX_MESSAGES = 100;

function isMessage(value: unknown): value is HearthWidgetMessage {
  if (!value || typeof value !== 'object') return false;
  const { role, content } = value as Record<string, unknown>;
  return (role === 'user' || role === 'assistant') && typeof content === 'string';
}

export function loadConversation(key: string): HearthWidgetMessage[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isMessage).slice(-MAX_MESSAGES) : [];
  } catch {
    return [];
  }
}

export function saveConversation(key: string, messages: HearthWidgetMessage[]): void {
  try {
    if (messages.length === 0) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(messages.slice(-MAX_MESSAGES)));
  } catch {
    // Quota or a storage-less context: the chat still works, it is just not kept.
  }
}
