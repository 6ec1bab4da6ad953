import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';
import { ConversationStore } from '../../src/lib/store/conversations';
import {
  exportConversations,
  importConversations,
  parseExportFile,
  TransferError
} from '../../src/lib/store/transfer';

let database: HearthDB;
let store: ConversationStore;

beforeEach(() => {
  database = freshDatabase('transfer-test');
  store = new ConversationStore(database);
});

afterEach(async () => {
  await database.delete();
});

async function seed() {
  const a = await store.create(
    {
      title: '医院排班',
      modelId: 'gguf:stories',
      systemPrompt: '你是助手',
      options: { temperature: 0, stop: ['\n'] }
    },
    1000
  );
  await store.append(a.id, { role: 'user', content: '你好' }, 1100);
  await store.append(
    a.id,
    {
      role: 'assistant',
      content: 'Once upon a time',
      stopped: true,
      stats: {
        engine: 'wasm',
        modelId: 'gguf:stories',
        eval_count: 10,
        eval_duration: 5e8,
        tokensPerSecond: 20
      }
    },
    1200
  );
  const b = await store.create({ title: 'empty one' }, 2000);
  return { a, b };
}

async function snapshot() {
  const conversations = await database.conversations.orderBy('id').toArray();
  const messages = await database.messages.orderBy('id').toArray();
  return { conversations, messages };
}

describe('export / import', () => {
  it('round-trips: export → wipe → import gives the same data', async () => {
    await seed();
    const before = await snapshot();
    const file = await exportConversations(database);
    expect(file.format).toBe('hearth-conversations');
    expect(file.version).toBe(1);
    expect(file.conversations).toHaveLength(2);
    const text = JSON.stringify(file);

    await store.removeAll();
    expect(await database.conversations.count()).toBe(0);

    const result = await importConversations(text, database);
    expect(result).toEqual({ imported: 2, skipped: 0, messages: 2 });
    expect(await snapshot()).toEqual(before);
  });

  it('skips conversations that already exist and reports counts', async () => {
    const { a } = await seed();
    const text = JSON.stringify(await exportConversations(database));
    await store.rename(a.id, 'kept local title');
    await store.remove((await store.list()).find((c) => c.id !== a.id)!.id);

    const result = await importConversations(text, database);
    expect(result).toEqual({ imported: 1, skipped: 1, messages: 0 });
    expect((await store.get(a.id))?.title).toBe('kept local title');
    expect(await database.conversations.count()).toBe(2);
    expect(await database.messages.count()).toBe(2);

    // Importing again changes nothing.
    expect(await importConversations(text, database)).toEqual({
      imported: 0,
      skipped: 2,
      messages: 0
    });
  });

  describe('malformed files change nothing', () => {
    const cases: Array<[string, (valid: Record<string, unknown>) => string, RegExp]> = [
      ['bad JSON', () => '{"format": "hearth-conversations", ', /Not valid JSON/],
      ['not an object', () => '[1,2,3]', /not a JSON object/],
      ['wrong format', (v) => JSON.stringify({ ...v, format: 'chatgpt' }), /"format" is "chatgpt"/],
      [
        'wrong version',
        (v) => JSON.stringify({ ...v, version: 2 }),
        /Unsupported export version 2/
      ],
      [
        'missing conversation field',
        (v) => {
          const list = structuredClone(v.conversations) as Array<Record<string, unknown>>;
          delete list[1].title;
          return JSON.stringify({ ...v, conversations: list });
        },
        /conversations\.1\.title/
      ],
      [
        'bad message role',
        (v) => {
          const list = structuredClone(v.conversations) as Array<{
            messages: Array<Record<string, unknown>>;
          }>;
          const withMessages = list.findIndex((c) => c.messages.length > 0);
          list[withMessages].messages[0].role = 'hacker';
          return JSON.stringify({ ...v, conversations: list });
        },
        /messages\.0\.role/
      ],
      [
        'duplicate ids',
        (v) => {
          const list = structuredClone(v.conversations) as unknown[];
          return JSON.stringify({ ...v, conversations: [...list, list[0]] });
        },
        /Duplicate conversation id/
      ]
    ];

    for (const [name, make, expected] of cases) {
      it(name, async () => {
        await seed();
        const valid = (await exportConversations(database)) as unknown as Record<string, unknown>;
        // Leave only one conversation stored so a partial write would show.
        const keep = (await store.list())[0];
        for (const c of await store.list()) if (c.id !== keep.id) await store.remove(c.id);
        const before = await snapshot();

        const text = make(valid);
        expect(() => parseExportFile(text)).toThrow(TransferError);
        await expect(importConversations(text, database)).rejects.toThrow(expected);
        expect(await snapshot()).toEqual(before);
      });
    }
  });
});
