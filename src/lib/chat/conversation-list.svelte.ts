/** The sidebar's list: all conversations, or those matching the search box and the tag filter. */
import type { Conversation } from '../store/db';
import type { ConversationStore } from '../store/conversations';
import { hasTag, tagsInUse } from '../store/tags';

export class ConversationList {
  items = $state<Conversation[]>([]);
  query = $state('');
  /** Only conversations with this tag; null for all. */
  tag = $state<string | null>(null);
  /** Every tag in use, to filter by. */
  tags = $state<string[]>([]);
  loaded = $state(false);
  /** Answers to old queries can arrive after newer ones; only the latest may land. */
  private generation = 0;

  constructor(private readonly store: ConversationStore) {}

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const query = this.query;
    const all = await this.store.list();
    const items = query.trim() ? await this.store.search(query) : all;
    if (generation !== this.generation) return;
    this.tags = tagsInUse(all);
    // A filter whose last conversation lost the tag shows everything again.
    if (this.tag !== null && !this.tags.includes(this.tag)) this.tag = null;
    this.items = items.filter((c) => hasTag(c, this.tag));
    this.loaded = true;
  }

  async search(query: string): Promise<void> {
    this.query = query;
    await this.refresh();
  }

  async filterByTag(tag: string | null): Promise<void> {
    this.tag = tag;
    await this.refresh();
  }
}
