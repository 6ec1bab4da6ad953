/**
 * UI-logic test of the chat session (send / stop / regenerate / edit / errors). The engine
 * is replaced at its boundary by a scripted async generator: what is tested is how the
 * session streams, persists and recovers, not what a model says (real models are covered
 * by the engine and end-to-end tests).
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';
import { ConversationStore, ThrottledMessageWriter } from '../../src/lib/store/conversations';
import { ChatSession } from '../../src/lib/chat/session.svelte';
import { PacedText } from '../../src/lib/chat/paced-text';
import { EngineError } from '../../src/lib/engines/engine';
import type { CatalogModel } from '../../src/lib/models/types';
import { applyPreset, PRESET_MAX_TOKENS } from '../../src/lib/chat/params';
import { chunk, FakeRuntime, model, tokens, type Script } from './helpers/chat';

let database: HearthDB;
let store: ConversationStore;
let runtime: FakeRuntime;
let session: ChatSession;

beforeEach(() => {
  database = freshDatabase('chat-test');
  store = new ConversationStore(database);
  runtime = new FakeRuntime(tokens(['Hello', ', ', 'world']));
  session = new ChatSession({
    store,
    runtime,
    resolveModel: (id) => (id === model.id ? model : undefined),
    writer: new ThrottledMessageWriter(store, 5)
  });
});

afterEach(async () => {
  await database.delete();
});

describe('ChatSession', () => {
  it('refuses to send without a model and keeps nothing half-done', async () => {
    expect(await session.send('hi')).toBe(false);
    expect(session.error?.code).toBe('no-model');
    expect(await database.conversations.count()).toBe(0);
  });

  it('sends, streams, titles the conversation and saves stats', async () => {
    await session.setModel(model.id);
    await session.setSystemPrompt('Be kind.');
    expect(await session.send('  Tell me something \n more ')).toBe(true);

    expect(session.isDraft).toBe(false);
    expect(session.conversation.title).toBe('Tell me something');
    expect(session.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Tell me something \n more'],
      ['assistant', 'Hello, world']
    ]);
    expect(runtime.requests[0].messages?.[0]).toEqual({ role: 'system', content: 'Be kind.' });
    expect(runtime.requests[0].options?.temperature).toBe(0.7);

    const stored = await store.messages(session.conversation.id);
    expect(stored[1].content).toBe('Hello, world');
    expect(stored[1].stats).toMatchObject({
      engine: 'wasm',
      modelId: model.id,
      eval_count: 3,
      tokensPerSecond: 3
    });
    expect((await store.get(session.conversation.id))?.modelId).toBe(model.id);
  });

  it('stop keeps the partial answer and marks it stopped', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    runtime.script = async function* (_req, signal) {
      yield chunk('partial ');
      yield chunk('answer');
      await gate;
      if (signal?.aborted) throw new EngineError('aborted', 'aborted');
      yield chunk(' never');
    };
    await session.setModel(model.id);
    const sending = session.send('go');
    while (session.messages[1]?.content !== 'partial answer')
      await new Promise((r) => setTimeout(r, 1));
    expect(session.busy).toBe(true);
    session.stop();
    release();
    await sending;

    expect(session.busy).toBe(false);
    expect(session.error).toBeNull();
    const stored = await store.messages(session.conversation.id);
    expect(stored[1]).toMatchObject({ content: 'partial answer', stopped: true });
    expect(stored[1].error).toBeUndefined();
  });

  it('regenerate replaces the last answer', async () => {
    await session.setModel(model.id);
    await session.send('q');
    runtime.script = tokens(['Second']);
    await session.regenerate();
    const stored = await store.messages(session.conversation.id);
    expect(stored.map((m) => m.content)).toEqual(['q', 'Second']);
    expect(session.messages.map((m) => m.content)).toEqual(['q', 'Second']);
    // The regenerated request did not include the old answer.
    expect(runtime.requests[1].messages).toEqual([{ role: 'user', content: 'q' }]);
  });

  it('edit & resend truncates after the edited message', async () => {
    await session.setModel(model.id);
    await session.send('first');
    await session.send('second');
    const firstId = session.messages[0].id;
    runtime.script = tokens(['Edited']);
    await session.editAndResend(firstId, 'first, edited');
    const stored = await store.messages(session.conversation.id);
    expect(stored.map((m) => m.content)).toEqual(['first, edited', 'Edited']);
    expect(runtime.requests.at(-1)?.messages).toEqual([{ role: 'user', content: 'first, edited' }]);
  });

  it('an engine error is shown and never loses the user message', async () => {
    runtime.script = async function* () {
      yield chunk('half');
      throw new EngineError('crashed', 'wasm memory access out of bounds');
    };
    await session.setModel(model.id);
    expect(await session.send('important question')).toBe(true);
    expect(session.error).toEqual({ code: 'crashed', message: 'wasm memory access out of bounds' });

    const stored = await store.messages(session.conversation.id);
    expect(stored[0]).toMatchObject({ role: 'user', content: 'important question' });
    expect(stored[1]).toMatchObject({ content: 'half', error: 'wasm memory access out of bounds' });

    // Retrying after the reload works and replaces the failed answer.
    runtime.script = tokens(['Recovered']);
    await session.regenerate();
    expect(session.error).toBeNull();
    expect((await store.messages(session.conversation.id)).map((m) => m.content)).toEqual([
      'important question',
      'Recovered'
    ]);
  });

  it('reopens a stored conversation with its messages and settings', async () => {
    await session.setModel(model.id);
    await session.setOptions({ temperature: 0, top_k: 1 });
    await session.send('hello');
    const id = session.conversation.id;
    await session.newDraft();
    expect(session.messages).toEqual([]);
    expect(await session.open(id)).toBe(true);
    expect(session.conversation.options).toEqual({ temperature: 0, top_k: 1 });
    expect(session.messages.map((m) => m.content)).toEqual(['hello', 'Hello, world']);
    expect(await session.open('missing')).toBe(false);
  });
});

/**
 * The length cap and Continue. The fake engine stands in only to say how a run ended
 * (done_reason "length", as llama.cpp, web-llm and Ollama report a num_predict cut); that
 * the real engines say so, and how each continues a final assistant message, is covered
 * by the engine tests and the in-browser e2e test.
 */
function cutAfter(words: string[]): Script {
  return async function* () {
    for (const w of words) yield chunk(w);
    yield chunk('', true, {
      done_reason: 'length',
      eval_count: words.length,
      eval_duration: 1e9
    });
  };
}

describe('ChatSession: answer-length cap and Continue', () => {
  it('sends the preset’s default cap, even when the field was cleared or set to -1', async () => {
    await session.setModel(model.id);
    await session.send('a');
    expect(runtime.requests[0].options?.num_predict).toBe(PRESET_MAX_TOKENS.balanced);

    await session.setOptions({ ...applyPreset({}, 'precise'), num_predict: -1 });
    await session.send('b');
    expect(runtime.requests[1].options?.num_predict).toBe(PRESET_MAX_TOKENS.precise);

    await session.setOptions({ ...applyPreset({}, 'precise'), num_predict: 8 });
    await session.send('c');
    expect(runtime.requests[2].options?.num_predict).toBe(8);
  });

  it('bounds the cap by the model’s context window', async () => {
    const small: CatalogModel = { ...model, contextLength: 256 };
    session = new ChatSession({
      store,
      runtime,
      resolveModel: (id) => (id === small.id ? small : undefined),
      writer: new ThrottledMessageWriter(store, 5)
    });
    await session.setModel(small.id);
    await session.setOptions({ num_predict: 100_000 });
    await session.send('long story please');
    expect(runtime.requests[0].options?.num_predict).toBe(512);
  });

  it('marks an answer cut by the cap, and only such an answer', async () => {
    await session.setModel(model.id);
    await session.send('finished');
    expect(session.messages[1].cutAt).toBeUndefined();

    runtime.script = cutAfter(['Once', ' upon', ' a']);
    await session.send('cut');
    expect(session.messages[3]).toMatchObject({ content: 'Once upon a', cutAt: 3 });
    const stored = await store.messages(session.conversation.id);
    expect(stored[3]).toMatchObject({ content: 'Once upon a', cutAt: 3 });
    expect(stored[3].stopped).toBeUndefined();
  });

  it('Continue asks the model to go on and appends to the same message', async () => {
    await session.setModel(model.id);
    runtime.script = cutAfter(['Once', ' upon', ' a']);
    await session.send('tell a story');
    const answerId = session.messages[1].id;

    runtime.script = tokens([' time', ' there', ' was']);
    await session.continueAnswer();

    // The request ends with the partial answer: Ollama's "continue this reply".
    expect(runtime.requests[1].messages).toEqual([
      { role: 'user', content: 'tell a story' },
      { role: 'assistant', content: 'Once upon a' }
    ]);
    expect(session.messages).toHaveLength(2);
    expect(session.messages[1]).toMatchObject({
      id: answerId,
      content: 'Once upon a time there was'
    });
    expect(session.messages[1].cutAt).toBeUndefined();
    expect(session.messages[1].stats).toMatchObject({ eval_count: 6, eval_duration: 2e9 });
    const stored = await store.messages(session.conversation.id);
    expect(stored).toHaveLength(2);
    expect(stored[1]).toMatchObject({ id: answerId, content: 'Once upon a time there was' });
    expect(stored[1].cutAt).toBeUndefined();
  });

  it('a continuation cut again counts the whole answer', async () => {
    await session.setModel(model.id);
    runtime.script = cutAfter(['a', 'b']);
    await session.send('go');
    runtime.script = cutAfter(['c', 'd']);
    await session.continueAnswer();
    expect(session.messages[1]).toMatchObject({ content: 'abcd', cutAt: 4 });
    expect((await store.messages(session.conversation.id))[1].cutAt).toBe(4);
  });

  it('Continue does nothing for an answer that was not cut', async () => {
    await session.setModel(model.id);
    await session.send('hi');
    await session.continueAnswer();
    expect(runtime.requests).toHaveLength(1);
    expect(session.messages.map((m) => m.content)).toEqual(['hi', 'Hello, world']);
  });

  it('stop during a continuation keeps both parts; regenerate and edit still work', async () => {
    await session.setModel(model.id);
    runtime.script = cutAfter(['first part']);
    await session.send('q');

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    runtime.script = async function* (_req, signal) {
      yield chunk(' more');
      await gate;
      if (signal?.aborted) throw new EngineError('aborted', 'aborted');
    };
    const continuing = session.continueAnswer();
    while (session.messages[1].content !== 'first part more')
      await new Promise((r) => setTimeout(r, 1));
    session.stop();
    release();
    await continuing;
    expect(session.messages[1]).toMatchObject({ content: 'first part more', stopped: true });
    expect(session.messages[1].cutAt).toBeUndefined();

    runtime.script = tokens(['Fresh']);
    await session.regenerate();
    expect(session.messages.map((m) => m.content)).toEqual(['q', 'Fresh']);

    runtime.script = cutAfter(['Edited']);
    await session.editAndResend(session.messages[0].id, 'q2');
    expect(session.messages.map((m) => [m.content, m.cutAt])).toEqual([
      ['q2', undefined],
      ['Edited', 1]
    ]);
  });
});

describe('PacedText (answers shown at most once per frame)', () => {
  it('shows a lone token at once, holds a burst back, and shows the rest on a timer or flush', async () => {
    let clock = 1000;
    const shown: string[] = [];
    const paced = new PacedText(
      (t) => shown.push(t),
      50,
      () => clock
    );
    paced.add('Once');
    expect(shown).toEqual(['Once']);
    for (const t of [' upon', ' a', ' time']) paced.add(t);
    expect(shown).toEqual(['Once']); // the same instant: held back
    clock += 60;
    paced.add(',');
    expect(shown).toEqual(['Once', ' upon a time,']);
    paced.add(' there');
    await new Promise((r) => setTimeout(r, 80)); // no further chunk: the timer shows it
    expect(shown).toEqual(['Once', ' upon a time,', ' there']);
    paced.add(' was');
    paced.flush();
    paced.flush();
    expect(shown.join('')).toBe('Once upon a time, there was');
  });
});
