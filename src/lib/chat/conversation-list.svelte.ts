/** The sidebar's list: all conversations, or those matching the search box. */
import type { Conversation } from '../store/db';
import type { ConversationStore } from '../store/conversations';

export class ConversationList {
  items = $state<Conversation[]>([]);
  query = $state('');
  loaded = $state(false);
  /** Answers to old queries can arrive after newer ones; only the latest may land. */
  private generation = 0;

  constructor(private readonly store: ConversationStore) {}

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const query = this.query;
    const items = query.trim() ? await this.store.search(query) : await this.store.list();
    if (generation !== this.generation) return;
    this.items = items;
    this.loaded = true;
  }

  async search(query: string): Promise<void> {
    this.query = query;
    await this.refresh();
  }
}
