import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';
import { ConversationStore, ThrottledMessageWriter } from '../../src/lib/store/conversations';

let database: HearthDB;
let store: ConversationStore;

beforeEach(() => {
  database = freshDatabase('conversations-test');
  store = new ConversationStore(database);
});

afterEach(async () => {
  await database.delete();
});

describe('ConversationStore', () => {
  it('creates, renames and lists conversations newest first', async () => {
    const a = await store.create({ title: 'first' }, 1000);
    const b = await store.create({ title: 'second' }, 2000);
    expect((await store.list()).map((c) => c.id)).toEqual([b.id, a.id]);

    await store.rename(a.id, '  renamed  ');
    const list = await store.list();
    expect(list[0].id).toBe(a.id);
    expect(list[0].title).toBe('renamed');
    await expect(store.rename(a.id, '   ')).rejects.toThrow(/empty/);
    await expect(store.rename('missing', 'x')).rejects.toThrow(/No conversation/);
  });

  it('lists pinned conversations first, newest first within each group, until unpinned', async () => {
    const a = await store.create({ title: 'a' }, 1000);
    const b = await store.create({ title: 'b' }, 2000);
    await store.create({ title: 'c' }, 3000);
    await store.update(a.id, { pinned: true });
    expect((await store.list()).map((x) => x.title)).toEqual(['a', 'c', 'b']);
    await store.update(b.id, { pinned: true });
    expect((await store.list()).map((x) => x.title)).toEqual(['b', 'a', 'c']);
    await store.update(a.id, { pinned: false });
    expect((await store.list()).map((x) => x.title)).toEqual(['b', 'c', 'a']);
    expect((await store.get(b.id))?.updatedAt).toBe(2000);
  });

  it('appends messages with increasing seq and bumps updatedAt', async () => {
    const c = await store.create({}, 1000);
    const m1 = await store.append(c.id, { role: 'user', content: 'hi' }, 5000);
    const m2 = await store.append(c.id, { role: 'assistant', content: 'hello' }, 6000);
    expect([m1.seq, m2.seq]).toEqual([0, 1]);
    expect((await store.get(c.id))?.updatedAt).toBe(6000);
    expect((await store.messages(c.id)).map((m) => m.content)).toEqual(['hi', 'hello']);
    await expect(store.append('nope', { role: 'user', content: 'x' })).rejects.toThrow();
  });

  it('deletes a conversation together with its messages only', async () => {
    const a = await store.create();
    const b = await store.create();
    await store.append(a.id, { role: 'user', content: 'a1' });
    await store.append(b.id, { role: 'user', content: 'b1' });
    await store.remove(a.id);
    expect(await store.get(a.id)).toBeUndefined();
    expect(await database.messages.where('conversationId').equals(a.id).count()).toBe(0);
    expect((await store.messages(b.id)).map((m) => m.content)).toEqual(['b1']);
    await store.removeAll();
    expect(await database.conversations.count()).toBe(0);
    expect(await database.messages.count()).toBe(0);
  });

  it('searches titles and message text, case-insensitive and CJK-safe', async () => {
    const en = await store.create({ title: 'Travel Plans' });
    const zh = await store.create({ title: '周报' });
    const other = await store.create({ title: 'misc' });
    await store.append(zh.id, { role: 'user', content: '请帮我总结本周的医院排班' });
    await store.append(other.id, { role: 'assistant', content: 'Use ＡＰＩ keys carefully' });

    expect((await store.search('travel')).map((c) => c.id)).toEqual([en.id]);
    expect((await store.search('医院')).map((c) => c.id)).toEqual([zh.id]);
    expect((await store.search('周报')).map((c) => c.id)).toEqual([zh.id]);
    // Full-width letters fold to ASCII.
    expect((await store.search('api')).map((c) => c.id)).toEqual([other.id]);
    expect(await store.search('nothing-like-this')).toEqual([]);
    expect((await store.search('  ')).length).toBe(3);
  });

  it('truncates after a seq', async () => {
    const c = await store.create();
    for (const content of ['q1', 'a1', 'q2', 'a2']) {
      await store.append(c.id, { role: content.startsWith('q') ? 'user' : 'assistant', content });
    }
    expect(await store.truncateAfter(c.id, 1)).toBe(2);
    expect((await store.messages(c.id)).map((m) => m.content)).toEqual(['q1', 'a1']);
    const next = await store.append(c.id, { role: 'user', content: 'q2b' });
    expect(next.seq).toBe(2);
  });
});

describe('ThrottledMessageWriter', () => {
  it('coalesces streaming updates and always writes the final one', async () => {
    const c = await store.create();
    const m = await store.append(c.id, { role: 'assistant', content: '' });
    let writes = 0;
    const counting = new ConversationStore(database);
    const original = counting.updateMessage.bind(counting);
    counting.updateMessage = async (id, patch) => {
      writes++;
      return original(id, patch);
    };
    const writer = new ThrottledMessageWriter(counting, 10_000);
    let text = '';
    for (let i = 0; i < 200; i++) {
      text += 'x';
      writer.schedule(m.id, { content: text });
    }
    await writer.flush(m.id, { stopped: true });
    expect(writes).toBe(1);
    const stored = (await store.messages(c.id))[0];
    expect(stored.content).toBe('x'.repeat(200));
    expect(stored.stopped).toBe(true);
  });

  it('writes periodically while streaming', async () => {
    const c = await store.create();
    const m = await store.append(c.id, { role: 'assistant', content: '' });
    const writer = new ThrottledMessageWriter(store, 5);
    writer.schedule(m.id, { content: 'partial' });
    await new Promise((r) => setTimeout(r, 50));
    expect((await store.messages(c.id))[0].content).toBe('partial');
  });
});
