/**
 * A new conversation is titled by the model that answered it, after its first answer.
 * The engine is replaced at its boundary by a script (what a model would say is not the
 * point: that the session asks it, when, and what it keeps is).
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatRequest, ShowResponse } from '#protocol/ollama/types';
import { followsChat } from '#protocol/ollama/show';
import { cleanTitle } from '../../src/lib/chat/request';
import { ChatSession } from '../../src/lib/chat/session.svelte';
import type { CatalogModel } from '../../src/lib/models/types';
import { ConversationStore, ThrottledMessageWriter } from '../../src/lib/store/conversations';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';
import { chunk, FakeRuntime, model } from './helpers/chat';

const isTitleRequest = (request: ChatRequest) =>
  request.messages?.[0]?.content?.startsWith('You name conversations') === true;

let database: HearthDB;
let store: ConversationStore;
let runtime: FakeRuntime;
let titles: boolean;
let titleReply: string | Error;

/** A downloaded GGUF whose chat template was read. */
const chatModel: CatalogModel = { ...model, completionOnly: false };

/** A model on the Hearth server; whether it chats is asked of the server (its /api/show). */
const serverModel: CatalogModel = {
  ...model,
  id: 'server:qwen',
  source: { kind: 'server', name: 'qwen' }
};

function session(
  chosen: CatalogModel = chatModel,
  serverModelChats?: (m: CatalogModel) => Promise<boolean>
): ChatSession {
  return new ChatSession({
    store,
    runtime,
    resolveModel: (id) => (id === chosen.id ? chosen : undefined),
    writer: new ThrottledMessageWriter(store, 5),
    generateTitles: async () => titles,
    serverModelChats
  });
}

beforeEach(() => {
  database = freshDatabase('chat-titles');
  store = new ConversationStore(database);
  titles = true;
  titleReply = '**Title:** "Greeting the world"\nThis conversation is about greetings.';
  runtime = new FakeRuntime(async function* (request) {
    if (isTitleRequest(request)) {
      if (titleReply instanceof Error) throw titleReply;
      yield chunk(titleReply);
    } else yield chunk('Hello, world');
    yield chunk('', true, { eval_count: 2, eval_duration: 1e9 });
  });
});

afterEach(async () => {
  await database.delete();
});

describe('conversation titles', () => {
  it('asks the answering model for a title after the first answer, and keeps its cleaned reply', async () => {
    const chat = session();
    await chat.setModel(model.id);
    await chat.send('Say hello to everyone in the world please');
    expect(runtime.requests).toHaveLength(2);
    const request = runtime.requests[1];
    expect(isTitleRequest(request)).toBe(true);
    expect(request.model).toBe(model.id);
    expect(request.messages?.[1].content).toContain('Say hello to everyone in the world please');
    expect(request.messages?.[1].content).toContain('Hello, world');
    expect(request.options?.num_predict).toBeLessThanOrEqual(32);
    expect(chat.conversation.title).toBe('Greeting the world');
    expect((await store.get(chat.conversation.id))?.title).toBe('Greeting the world');

    // Later answers leave the title alone.
    await chat.send('And again');
    expect(runtime.requests.filter(isTitleRequest)).toHaveLength(1);
    expect(chat.conversation.title).toBe('Greeting the world');
  });

  it('keeps the first words of the message for a base model, a model not known to chat, with the setting off, or when the title request fails', async () => {
    const base = session({ ...model, completionOnly: true });
    await base.setModel(model.id);
    await base.send('Once upon a time');
    expect(runtime.requests.some(isTitleRequest)).toBe(false);
    expect(base.conversation.title).toBe('Once upon a time');

    const unknown = session(model);
    await unknown.setModel(model.id);
    await unknown.send('Which template?');
    expect(runtime.requests.some(isTitleRequest)).toBe(false);
    expect(unknown.conversation.title).toBe('Which template?');

    titles = false;
    const off = session();
    await off.setModel(model.id);
    await off.send('No title please');
    expect(runtime.requests.some(isTitleRequest)).toBe(false);
    expect(off.conversation.title).toBe('No title please');

    titles = true;
    titleReply = new Error('the engine went away');
    const failing = session();
    await failing.setModel(model.id);
    await failing.send('Keep my words');
    expect(runtime.requests.some(isTitleRequest)).toBe(true);
    expect(failing.conversation.title).toBe('Keep my words');
    expect(failing.error).toBeNull();
  });
});

describe('server models', () => {
  it('are asked for a title when their /api/show says they chat, and only then', async () => {
    const asked: string[] = [];
    const chatting = session(serverModel, async (m) => (asked.push(m.id), true));
    await chatting.setModel(serverModel.id);
    await chatting.send('Hello there');
    expect(asked).toEqual([serverModel.id]);
    expect(chatting.conversation.title).toBe('Greeting the world');

    runtime.requests.length = 0;
    const base = session(serverModel, async () => false);
    await base.setModel(serverModel.id);
    await base.send('Once upon a time');
    expect(runtime.requests.some(isTitleRequest)).toBe(false);
    expect(base.conversation.title).toBe('Once upon a time');
  });

  it('chat per /api/show: a template beyond the bare prompt, or the GGUF’s own', () => {
    const details = {} as ShowResponse['details'];
    const show = (fields: Partial<ShowResponse>): ShowResponse => ({
      modelfile: '',
      details,
      capabilities: ['completion'],
      ...fields
    });
    // Ollama: a chat model's template, and a base model's bare one.
    expect(followsChat(show({ template: '{{ if .System }}<|im_start|>system…{{ end }}' }))).toBe(
      true
    );
    expect(followsChat(show({ template: '{{ .Prompt }}' }))).toBe(false);
    expect(followsChat(show({ template: '{{- .Prompt -}}' }))).toBe(false);
    // Hearth: no Ollama template, but the GGUF's Jinja one (rendered by the server).
    expect(
      followsChat(show({ model_info: { 'tokenizer.chat_template': '{% for m in messages %}' } }))
    ).toBe(true);
    expect(followsChat(show({ model_info: {} }))).toBe(false);
    expect(followsChat(show({ capabilities: ['embedding'], template: '{{ .Messages }}' }))).toBe(
      false
    );
  });
});

describe('cleanTitle', () => {
  it('takes the first line and drops labels, markup, quotes and final stops', () => {
    expect(cleanTitle('\n  # Planning a trip\nmore')).toBe('Planning a trip');
    expect(cleanTitle('标题：「医院排班问题」。')).toBe('医院排班问题');
    expect(cleanTitle("'Hello'")).toBe('Hello');
    expect(cleanTitle('   ')).toBe('');
    expect(cleanTitle('x'.repeat(100))).toHaveLength(41);
  });
});
