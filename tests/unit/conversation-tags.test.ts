/**
 * Conversation tags: what is typed becomes short unique tags, the sidebar's list offers
 * them as filters (the most used first), and they travel with an export.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HearthDB } from '../../src/lib/store/db';
import { ConversationStore, ThrottledMessageWriter } from '../../src/lib/store/conversations';
import { ChatSession } from '../../src/lib/chat/session.svelte';
import { FakeRuntime, model, tokens } from './helpers/chat';
import { ConversationList } from '../../src/lib/chat/conversation-list.svelte';
import { formatTags, MAX_TAGS, parseTags } from '../../src/lib/store/tags';
import { exportConversations, importConversations } from '../../src/lib/store/transfer';
import { freshDatabase } from './helpers/db';

describe('parseTags', () => {
  it('splits on Latin and Chinese commas, drops #, blanks and repeats (case aside)', () => {
    expect(parseTags(' work, #Course notes，课程、work ; WORK,, ')).toEqual([
      'work',
      'Course notes',
      '课程'
    ]);
    expect(formatTags(parseTags('a，b'))).toBe('a, b');
  });

  it('keeps at most ten tags of 32 characters', () => {
    const many = Array.from({ length: 15 }, (_, i) => `t${i}`).join(',');
    expect(parseTags(many)).toHaveLength(MAX_TAGS);
    expect(Array.from(parseTags('长'.repeat(40))[0])).toHaveLength(32);
  });
});

describe('the list filtered by tag', () => {
  let database: HearthDB;
  let store: ConversationStore;

  beforeEach(() => {
    database = freshDatabase('tags-test');
    store = new ConversationStore(database);
  });
  afterEach(async () => {
    await database.delete();
  });

  async function conversation(title: string, tags: string[], message = title) {
    const c = await store.create({ title, modelId: null });
    await store.update(c.id, { tags });
    await store.append(c.id, { role: 'user', content: message });
    return c.id;
  }

  it('offers every tag, most used first, and shows only the tagged conversations', async () => {
    await conversation('Budget', ['work', 'finance']);
    await conversation('Roadmap', ['work']);
    const lesson = await conversation('Lesson', ['课程'], 'photosynthesis');
    const list = new ConversationList(store);
    await list.refresh();
    expect(list.tags).toEqual(['work', 'finance', '课程']);
    expect(list.items).toHaveLength(3);

    await list.filterByTag('work');
    expect(list.items.map((c) => c.title).sort()).toEqual(['Budget', 'Roadmap']);
    // Search and tag together.
    await list.search('road');
    expect(list.items.map((c) => c.title)).toEqual(['Roadmap']);
    await list.search('');

    // A filter whose last conversation loses the tag shows everything again.
    await list.filterByTag('课程');
    expect(list.items.map((c) => c.id)).toEqual([lesson]);
    await store.update(lesson, { tags: [] });
    await list.refresh();
    expect(list.tag).toBeNull();
    expect(list.items).toHaveLength(3);
    expect(list.tags).toEqual(['work', 'finance']);
  });

  it('given to a draft are kept when its first message creates it', async () => {
    const session = new ChatSession({
      store,
      runtime: new FakeRuntime(tokens(['Hi'])),
      resolveModel: () => model,
      writer: new ThrottledMessageWriter(store, 5)
    });
    await session.setModel(model.id);
    await session.setTags(['work']);
    await session.send('Hello');
    expect((await store.get(session.conversation.id))?.tags).toEqual(['work']);
  });

  it('travel with an export and come back on import', async () => {
    await conversation('Budget', ['work', 'finance']);
    const file = await exportConversations(database);
    await database.conversations.clear();
    await database.messages.clear();
    await importConversations(JSON.stringify(file), database);
    expect((await store.list())[0].tags).toEqual(['work', 'finance']);
  });
});
