/**
 * Conversation and message persistence over the app's dexie database. Every function
 * takes plain objects (never Svelte proxies: IndexedDB's structured clone rejects them)
 * and multi-row changes run in one transaction so a crash never leaves half an edit.
 */
import { db, type Conversation, type HearthDB, type StoredMessage } from './db';
import { newId } from '../util/id';
import type { Options } from '#protocol/ollama/types';

/** The chat's name for a stored message. */
export type ChatMessage = StoredMessage;

export interface NewConversation {
  title?: string;
  modelId?: string | null;
  systemPrompt?: string;
  options?: Options;
  /** Tags given while it was still a draft. */
  tags?: string[];
}

export type MessagePatch = Partial<Omit<ChatMessage, 'id' | 'conversationId' | 'seq'>>;

/** Folds case and width (full-width Latin, compatibility forms) so search is CJK-safe. */
export function foldForSearch(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase();
}

export class ConversationStore {
  constructor(readonly database: HearthDB = db()) {}

  async create(init: NewConversation = {}, now = Date.now()): Promise<Conversation> {
    const conversation: Conversation = {
      id: newId(),
      title: init.title ?? '',
      createdAt: now,
      updatedAt: now,
      modelId: init.modelId ?? null,
      systemPrompt: init.systemPrompt ?? '',
      options: { ...(init.options ?? {}) },
      ...(init.tags?.length ? { tags: [...init.tags] } : {})
    };
    await this.database.conversations.add(conversation);
    return conversation;
  }

  get(id: string): Promise<Conversation | undefined> {
    return this.database.conversations.get(id);
  }

  /** Newest activity first. */
  /** Pinned conversations first, then the most recently used. */
  async list(): Promise<Conversation[]> {
    const recent = await this.database.conversations.orderBy('updatedAt').reverse().toArray();
    return [...recent.filter((c) => c.pinned), ...recent.filter((c) => !c.pinned)];
  }

  async rename(id: string, title: string): Promise<void> {
    const clean = title.trim();
    if (!clean) throw new Error('A conversation title cannot be empty');
    await this.requireUpdated(id, { title: clean });
  }

  /** Settings changes (model, system prompt, options) do not reorder the list. */
  async update(
    id: string,
    patch: Partial<
      Pick<
        Conversation,
        | 'title'
        | 'modelId'
        | 'systemPrompt'
        | 'options'
        | 'pinned'
        | 'tags'
        | 'dropOldTurns'
        | 'contextFrom'
      >
    >
  ): Promise<void> {
    const count = await this.database.conversations.update(id, patch);
    if (count === 0 && !(await this.get(id))) throw new Error(`No conversation ${id}`);
  }

  async remove(id: string): Promise<void> {
    const { conversations, messages } = this.database;
    await this.database.transaction('rw', conversations, messages, async () => {
      await messages.where('conversationId').equals(id).delete();
      await conversations.delete(id);
    });
  }

  async removeAll(): Promise<void> {
    const { conversations, messages } = this.database;
    await this.database.transaction('rw', conversations, messages, async () => {
      await messages.clear();
      await conversations.clear();
    });
  }

  /** Conversations whose title or any message contains `query` (case- and width-insensitive). */
  async search(query: string): Promise<Conversation[]> {
    const needle = foldForSearch(query.trim());
    if (!needle) return this.list();
    const all = await this.list();
    const hits = new Set(
      all.filter((c) => foldForSearch(c.title).includes(needle)).map((c) => c.id)
    );
    await this.database.messages.each((m) => {
      if (!hits.has(m.conversationId) && foldForSearch(m.content).includes(needle)) {
        hits.add(m.conversationId);
      }
    });
    return all.filter((c) => hits.has(c.id));
  }

  messages(conversationId: string): Promise<ChatMessage[]> {
    return this.database.messages
      .where('[conversationId+seq]')
      .between([conversationId, -Infinity], [conversationId, Infinity])
      .toArray();
  }

  /** Appends at the end of the conversation (seq = last + 1) and bumps its updatedAt. */
  async append(
    conversationId: string,
    message: Pick<ChatMessage, 'role' | 'content'> & MessagePatch,
    now = Date.now()
  ): Promise<ChatMessage> {
    const { conversations, messages } = this.database;
    return this.database.transaction('rw', conversations, messages, async () => {
      if (!(await conversations.get(conversationId))) {
        throw new Error(`No conversation ${conversationId}`);
      }
      const last = await messages
        .where('[conversationId+seq]')
        .between([conversationId, -Infinity], [conversationId, Infinity])
        .last();
      const stored: ChatMessage = {
        createdAt: now,
        ...message,
        id: newId(),
        conversationId,
        seq: last ? last.seq + 1 : 0
      };
      await messages.add(stored);
      await conversations.update(conversationId, { updatedAt: now });
      return stored;
    });
  }

  async updateMessage(id: string, patch: MessagePatch): Promise<void> {
    await this.database.messages.update(id, patch);
  }

  /** Deletes every message after `seq` (edit & resend, regenerate). */
  async truncateAfter(conversationId: string, seq: number): Promise<number> {
    return this.database.messages
      .where('[conversationId+seq]')
      .between([conversationId, seq], [conversationId, Infinity], false, true)
      .delete();
  }

  private async requireUpdated(id: string, patch: Partial<Conversation>): Promise<void> {
    const count = await this.database.conversations.update(id, { ...patch, updatedAt: Date.now() });
    if (count === 0) throw new Error(`No conversation ${id}`);
  }
}

/**
 * Coalesces a streaming answer's many content updates into at most one IndexedDB write per
 * interval; `flush` always writes the latest patch, so the final text is never lost.
 */
export class ThrottledMessageWriter {
  private pending = new Map<string, MessagePatch>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private lastWrite = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ConversationStore,
    readonly intervalMs = 250
  ) {}

  schedule(id: string, patch: MessagePatch): void {
    this.pending.set(id, { ...this.pending.get(id), ...patch });
    if (this.timers.has(id)) return;
    const wait = Math.max(0, (this.lastWrite.get(id) ?? 0) + this.intervalMs - Date.now());
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        void this.write(id);
      }, wait)
    );
  }

  /** Writes whatever is pending for `id` merged with `patch`, and waits until it is stored. */
  async flush(id: string, patch: MessagePatch = {}): Promise<void> {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    this.pending.set(id, { ...this.pending.get(id), ...patch });
    await this.write(id);
  }

  private write(id: string): Promise<void> {
    const patch = this.pending.get(id);
    this.pending.delete(id);
    if (!patch || Object.keys(patch).length === 0) return this.chain;
    this.lastWrite.set(id, Date.now());
    // Writes for one message must land in order, or a late partial could overwrite the final.
    const written = this.chain.then(() => this.store.updateMessage(id, patch));
    // One failed write must not block the ones after it; the caller of flush still sees it.
    this.chain = written.catch(() => undefined);
    return written;
  }
}

let shared: ConversationStore | null = null;

/** The app-wide store over `db()`. */
export function conversationStore(): ConversationStore {
  shared ??= new ConversationStore();
  return shared;
}
