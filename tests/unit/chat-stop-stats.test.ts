/**
 * A stopped answer keeps its stats. The session stops reading the engine at once, so the
 * engine's final chunk (where its figures live) never counts: the tokens and speed must
 * come from what streamed before the stop. Each fake below ends a stopped run the way one
 * real engine does; a scripted clock makes the speed exact.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';
import { ConversationStore, ThrottledMessageWriter } from '../../src/lib/store/conversations';
import { ChatSession } from '../../src/lib/chat/session.svelte';
import { EngineError } from '../../src/lib/engines/engine';
import type { ChatResponse } from '#protocol/ollama/types';
import { chunk, FakeRuntime, model, tokens, until } from './helpers/chat';

let database: HearthDB;
let store: ConversationStore;
let runtime: FakeRuntime;
let session: ChatSession;
let clock: number;

beforeEach(async () => {
  database = freshDatabase('chat-stop-stats');
  store = new ConversationStore(database);
  runtime = new FakeRuntime(tokens(['unused']));
  clock = 1000;
  session = new ChatSession({
    store,
    runtime,
    resolveModel: (id) => (id === model.id ? model : undefined),
    writer: new ThrottledMessageWriter(store, 5),
    now: () => clock
  });
  await session.setModel(model.id);
});

afterEach(async () => {
  await database.delete();
});

/** How a stopped run ends, after the stop, for each kind of engine. */
const endings: Record<string, EngineError | ChatResponse[]> = {
  // wllama and web-llm: the run rejects as aborted (or the final chunk carries figures
  // the session never reads).
  thrown: new EngineError('aborted', 'Stopped.'),
  // A server: the cut fetch becomes a stand-in final chunk with no figures at all.
  finalWithoutFigures: [chunk('', true, { done_reason: 'abort' })],
  // An engine whose final chunk still claims a count: it arrives after the stop and is
  // not what was shown, so it must not win either.
  lateFinal: [
    chunk(' unseen'),
    chunk('', true, { done_reason: 'abort', eval_count: 99, eval_duration: 1 })
  ]
};

/** Streams `words` 100 ms apart, then waits for the stop and ends as `ending` says. */
function stoppable(words: string[], ending: EngineError | ChatResponse[] = endings.thrown) {
  let release!: () => void;
  const stopped = new Promise<void>((r) => (release = r));
  runtime.script = async function* () {
    for (const word of words) {
      clock += 100;
      yield chunk(word);
    }
    await stopped;
    if (ending instanceof Error) throw ending;
    yield* ending;
  };
  return () => {
    session.stop();
    release();
  };
}

describe('a stopped answer', () => {
  for (const [name, ending] of Object.entries(endings)) {
    it(`keeps its token count, speed and engine (${name})`, async () => {
      const stop = stoppable(['One', ' two', ' three', ' four'], ending);
      const sending = session.send('count to ten');
      await until(() => session.messages[1]?.content === 'One two three four');
      clock += 5000; // the user reads a while before pressing Stop: not generation time
      stop();
      await sending;

      const expected = {
        engine: 'wasm',
        modelId: model.id,
        eval_count: 4,
        // 100 ms between tokens: 10 tok/s, so four tokens took 400 ms.
        eval_duration: 4e8,
        tokensPerSecond: expect.closeTo(10, 6)
      };
      expect(session.messages[1]).toMatchObject({ stopped: true, stats: expected });
      const [, stored] = await store.messages(session.conversation.id);
      expect(stored).toMatchObject({ content: 'One two three four', stopped: true });
      expect(stored.stats).toEqual(expected);
      expect(stored.error).toBeUndefined();
    });
  }

  it('stopped after one token has a count but no speed', async () => {
    const stop = stoppable(['Only']);
    const sending = session.send('q');
    await until(() => session.messages[1]?.content === 'Only');
    stop();
    await sending;
    const [, stored] = await store.messages(session.conversation.id);
    expect(stored.stats).toEqual({ engine: 'wasm', modelId: model.id, eval_count: 1 });
  });

  it('stopped before the first token is only marked stopped', async () => {
    const stop = stoppable([]);
    const sending = session.send('q');
    await until(() => session.busy);
    stop();
    await sending;
    const [, stored] = await store.messages(session.conversation.id);
    expect(stored).toMatchObject({ content: '', stopped: true });
    expect(stored.stats).toBeUndefined();
  });

  it('a stopped continuation adds its tokens to the cut answer’s', async () => {
    runtime.script = async function* () {
      yield chunk('Once upon');
      yield chunk('', true, { done_reason: 'length', eval_count: 2, eval_duration: 1e9 });
    };
    await session.send('story');
    const stop = stoppable([' a', ' time', ' there']);
    const continuing = session.continueAnswer();
    await until(() => session.messages[1]?.content === 'Once upon a time there');
    stop();
    await continuing;
    const [, stored] = await store.messages(session.conversation.id);
    expect(stored.stopped).toBe(true);
    // 2 tokens in 1 s, then 3 in 300 ms: 5 in 1.3 s.
    expect(stored.stats).toMatchObject({ eval_count: 5, eval_duration: 1.3e9 });
    expect(stored.stats?.tokensPerSecond).toBeCloseTo(5 / 1.3);
  });
});

describe('an answer that ends without the engine’s figures', () => {
  it('is counted from its stream when no final chunk comes', async () => {
    runtime.script = async function* () {
      for (const word of ['a', 'b', 'c']) {
        clock += 50;
        yield chunk(word);
      }
    };
    await session.send('q');
    const [, stored] = await store.messages(session.conversation.id);
    expect(stored.stopped).toBeUndefined();
    expect(stored.stats).toMatchObject({ eval_count: 3, tokensPerSecond: expect.closeTo(20, 6) });
  });

  it('is counted from its stream when the final chunk reports no tokens', async () => {
    // web-llm without a usage block reports zero tokens for a whole answer.
    runtime.kind = 'webgpu';
    runtime.script = async function* () {
      for (const word of ['a', 'b']) {
        clock += 250;
        yield chunk(word);
      }
      yield chunk('', true, { eval_count: 0, eval_duration: 0 });
    };
    await session.send('q');
    const [, stored] = await store.messages(session.conversation.id);
    expect(stored.stats).toMatchObject({
      engine: 'webgpu',
      eval_count: 2,
      tokensPerSecond: expect.closeTo(4, 6)
    });
  });

  it('keeps the engine’s own figures when they are there', async () => {
    runtime.script = async function* () {
      clock += 10;
      yield chunk('a');
      clock += 10;
      yield chunk('b', true, { eval_count: 7, eval_duration: 2e9 });
    };
    await session.send('q');
    const [, stored] = await store.messages(session.conversation.id);
    expect(stored.stats).toMatchObject({ eval_count: 7, tokensPerSecond: expect.closeTo(3.5, 6) });
  });
});
