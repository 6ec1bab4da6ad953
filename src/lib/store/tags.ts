/**
 * Conversation tags: typed as a list in the conversation settings ("work, 课程, #draft"),
 * kept short and unique (case aside), and offered in the sidebar as filters, the most
 * used first.
 */
import type { Conversation } from './db';

export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 32;

/** Commas (Latin or Chinese), enumeration commas and semicolons separate tags. */
const SEPARATORS = /[,，、;；\n]/;

export function parseTags(text: string): string[] {
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(SEPARATORS)) {
    const tag = Array.from(raw.trim().replace(/^#+/, '').trim())
      .slice(0, MAX_TAG_LENGTH)
      .join('')
      .trim();
    const key = tag.toLocaleLowerCase();
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
    if (tags.length === MAX_TAGS) break;
  }
  return tags;
}

export function formatTags(tags: readonly string[] | undefined): string {
  return (tags ?? []).join(', ');
}

/** Every tag in use, the most used first, then alphabetically. */
export function tagsInUse(conversations: readonly Conversation[]): string[] {
  const counts = new Map<string, number>();
  for (const c of conversations)
    for (const tag of c.tags ?? []) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([tag]) => tag);
}

export function hasTag(conversation: Conversation, tag: string | null): boolean {
  return tag === null || (conversation.tags ?? []).includes(tag);
}
