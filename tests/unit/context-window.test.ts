/**
 * A conversation that outgrows the context window: which turns may go, how each engine's
 * refusal is recognised, Ollama's `truncate` in the in-browser engines, and the chat's
 * choice (ask the reader, then let the oldest turns go and mark where the model's view
 * starts). The session's engine is a scripted stand-in at its boundary that refuses, as
 * llama.cpp does, any prompt over a size; a real model runs the same in the e2e test.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatRequest, Message } from '#protocol/ollama/types';
import { ApiError } from '#protocol/client';
import {
  chatWithinContext,
  contextFullError,
  oldestTurnLength,
  withoutOldestTurn
} from '../../src/lib/engines/context-fit';
import { EngineError } from '../../src/lib/engines/engine';
import { mapWllamaError } from '../../src/lib/engines/wasm-options';
import { mapWebLlmError } from '../../src/lib/engines/webgpu-mapping';
import { RemoteEngine } from '../../src/lib/engines/remote';
import { buildChatRequest, contextStart } from '../../src/lib/chat/request';
import { ChatSession } from '../../src/lib/chat/session.svelte';
import { ConversationStore, ThrottledMessageWriter } from '../../src/lib/store/conversations';
import type { ChatMessage } from '../../src/lib/store/conversations';
import type { HearthDB } from '../../src/lib/store/db';
import { chunk, FakeRuntime, model } from './helpers/chat';
import { freshDatabase } from './helpers/db';
import { listenLocal } from './helpers/http';
import { remoteModel } from './helpers/models';

const user = (content: string): Message => ({ role: 'user', content });
const assistant = (content: string): Message => ({ role: 'assistant', content });
const system = (content: string): Message => ({ role: 'system', content });

describe('turns', () => {
  it('the oldest turn is a question with its answers, after the system prompt', () => {
    const messages = [system('S'), user('a'), assistant('A'), user('b'), assistant('B'), user('c')];
    expect(oldestTurnLength(messages)).toBe(2);
    expect(withoutOldestTurn(messages)).toEqual([
      system('S'),
      user('b'),
      assistant('B'),
      user('c')
    ]);
    expect(withoutOldestTurn(withoutOldestTurn(messages)!)).toEqual([system('S'), user('c')]);
  });

  it('never drops the last question, nor a continued answer after it', () => {
    expect(oldestTurnLength([system('S'), user('c')])).toBe(0);
    expect(withoutOldestTurn([user('c'), assistant('partial')])).toBeNull();
    expect(withoutOldestTurn([user('a'), assistant('A'), user('c'), assistant('p')])).toEqual([
      user('c'),
      assistant('p')
    ]);
    // A transcript that opens with an answer drops it up to the next question.
    expect(oldestTurnLength([assistant('hello'), user('a'), assistant('A'), user('b')])).toBe(1);
  });

  it('the model’s view starts at contextFrom, but never after the last question', () => {
    const history = [0, 1, 2, 3, 4].map((seq): ChatMessage => ({
      id: String(seq),
      conversationId: 'c',
      seq,
      createdAt: 0,
      role: seq % 2 === 0 ? 'user' : 'assistant',
      content: `m${seq}`
    }));
    expect(contextStart(history)).toBe(0);
    expect(contextStart(history, 2)).toBe(2);
    // An edit removed what followed message 2: the question itself is still seen.
    expect(contextStart(history.slice(0, 3), 4)).toBe(2);
    const request = buildChatRequest(
      'm',
      { systemPrompt: 'S', options: {}, contextFrom: 2 },
      history
    );
    expect(request.messages).toEqual([system('S'), user('m2'), assistant('m3'), user('m4')]);
    expect(request.truncate).toBe(false);
  });
});

describe('each engine’s refusal', () => {
  it('is one error code, whatever the engine said', () => {
    const refusals = [
      // llama.cpp's server code inside wllama
      mapWllamaError(
        new Error('the request exceeds the available context size, try increasing it'),
        'run'
      ),
      // web-llm, across its worker boundary
      mapWebLlmError({
        name: 'ContextWindowSizeExceededError',
        message: 'Prompt tokens exceed context window size: number of prompt tokens: 900'
      }),
      // Ollama and Hearth with truncate: false
      contextFullError(new ApiError(400, 'the input length exceeds the context length'))
    ];
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(EngineError);
      expect((refusal as EngineError).code).toBe('context-full');
    }
    expect(contextFullError(new Error('context canceled'))).toBeNull();
    expect(mapWllamaError(new Error('out of memory'), 'run')).not.toMatchObject({
      code: 'context-full'
    });
  });

  it('from a server reaches the chat as context-full (truncate: false is sent)', async () => {
    const bodies: Record<string, unknown>[] = [];
    const server = await listenLocal((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        if (req.url === '/api/show') return res.writeHead(200).end('{}');
        bodies.push(JSON.parse(raw));
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'the input length exceeds the context length' }));
      });
    });
    try {
      const engine = new RemoteEngine({ baseUrl: server.url });
      const remote = remoteModel('remote:llama3');
      await engine.load(remote, () => undefined);
      const request = buildChatRequest(remote.id, { systemPrompt: '', options: {} }, []);
      const run = async () => {
        for await (const _ of engine.chat({ ...request, messages: [user('hi')] })) void _;
      };
      await expect(run()).rejects.toMatchObject({ code: 'context-full' });
      expect(bodies[0]).toMatchObject({ truncate: false });
    } finally {
      await server.close();
    }
  });
});

/** An engine that refuses, as llama.cpp does, prompts of more than `limit` characters. */
function limitedEngine(limit: number, seen: Message[][] = []) {
  return async function* (messages: Message[]) {
    seen.push(messages);
    const size = messages.reduce((n, m) => n + m.content.length, 0);
    if (size > limit)
      throw new Error('the request exceeds the available context size, try increasing it');
    yield `answer to ${messages.at(-1)!.content}`;
  };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('in-browser engines follow Ollama’s truncate', () => {
  const long = [
    system('S'),
    user('aaaa'),
    assistant('AAAA'),
    user('bbbb'),
    assistant('BB'),
    user('c')
  ];

  it('unset: drops the oldest turns until the rest fits', async () => {
    const seen: Message[][] = [];
    const out = await collect(chatWithinContext(long, undefined, limitedEngine(7, seen)));
    expect(out).toEqual(['answer to c']);
    expect(seen.map((m) => m.length)).toEqual([6, 4, 2]);
  });

  it('false: the refusal stands, nothing is dropped', async () => {
    const seen: Message[][] = [];
    await expect(
      collect(chatWithinContext(long, false, limitedEngine(8, seen)))
    ).rejects.toMatchObject({
      code: 'context-full'
    });
    expect(seen).toHaveLength(1);
  });

  it('a question alone past the window is refused even with truncation', async () => {
    await expect(
      collect(chatWithinContext([user('x'.repeat(20))], true, limitedEngine(8)))
    ).rejects.toMatchObject({ code: 'context-full' });
  });
});

describe('the chat asks, then lets the oldest turns go', () => {
  let database: HearthDB;
  let store: ConversationStore;
  let session: ChatSession;
  let runtime: FakeRuntime;
  /** Characters the stand-in engine takes, system prompt and all. */
  let limit = 1000;

  beforeEach(() => {
    database = freshDatabase('context-test');
    store = new ConversationStore(database);
    runtime = new FakeRuntime(async function* (request: ChatRequest) {
      const messages = request.messages ?? [];
      const size = messages.reduce((n, m) => n + (m.content?.length ?? 0), 0);
      if (size > limit)
        throw new EngineError(
          'context-full',
          `The conversation is longer than the model's context window (${size} > ${limit})`
        );
      yield chunk('ok');
      yield chunk('', true, { eval_count: 1 });
    });
    session = new ChatSession({
      store,
      runtime,
      resolveModel: (id) => (id === model.id ? model : undefined),
      writer: new ThrottledMessageWriter(store, 5)
    });
  });

  afterEach(async () => {
    await database.delete();
    limit = 1000;
  });

  it('stops with a choice instead of cutting silently; the reader lets go; later turns go by themselves', async () => {
    await session.setModel(model.id);
    await session.send('q1-xxxxxxxx');
    await session.send('q2-xxxxxxxx');
    limit = 30;
    await session.send('q3-xxxxxxxx');
    expect(session.error?.code).toBe('context-full');
    expect(session.canLetTurnsGo).toBe(true);
    expect(session.firstInViewId).toBeNull();
    expect(runtime.requests.at(-1)?.truncate).toBe(false);

    await session.letOldTurnsGo();
    expect(session.error).toBeNull();
    expect(session.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'ok' });
    // 37 characters did not fit in 30; without q1's turn, 24 do.
    const firstSeen = session.messages.find((m) => m.id === session.firstInViewId);
    expect(firstSeen?.content).toBe('q2-xxxxxxxx');
    expect(runtime.requests.at(-1)?.messages?.map((m) => m.content)).toEqual([
      'q2-xxxxxxxx',
      'ok',
      'q3-xxxxxxxx'
    ]);

    // Chosen once, kept: the next overflow drops a turn without asking.
    await session.send('q4-xxxxxxxx');
    expect(session.error).toBeNull();
    expect(session.messages.find((m) => m.id === session.firstInViewId)?.content).toBe(
      'q3-xxxxxxxx'
    );

    // All of it is kept and comes back after a reload, view start included.
    const reopened = new ChatSession({
      store,
      runtime,
      resolveModel: () => model,
      writer: new ThrottledMessageWriter(store, 5)
    });
    await reopened.open(session.conversation.id);
    expect(reopened.messages.filter((m) => m.role === 'user')).toHaveLength(4);
    expect(reopened.firstInViewId).toBe(session.firstInViewId);
  });

  it('a message alone past the window leaves nothing to let go', async () => {
    await session.setModel(model.id);
    limit = 5;
    await session.send('far too long for the window');
    expect(session.error?.code).toBe('context-full');
    expect(session.canLetTurnsGo).toBe(false);
  });
});
