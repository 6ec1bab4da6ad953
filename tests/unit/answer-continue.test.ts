/**
 * How each engine carries the answer-length cap, reports a cut, and continues a cut answer
 * (a chat request whose last message is the partial assistant answer). The pure request
 * shaping of the in-browser engines is checked here; their real runs are in the e2e tests.
 * The remote engine is checked at its HTTP boundary against a canned Ollama server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionPromptFromChat } from '../../src/lib/engines/prompt';
import { llamaSamplingParams } from '../../src/lib/engines/wasm-options';
import { wllamaMessages } from '../../src/lib/engines/wasm-messages';
import { CONTINUE_PROMPT, toWebLlmChatRequest } from '../../src/lib/engines/webgpu-mapping';
import { finishToDoneReason } from '../../src/lib/engines/pieces';
import { RemoteEngine } from '../../src/lib/engines/remote';
import { buildChatRequest } from '../../src/lib/chat/request';
import { PRESET_MAX_TOKENS } from '../../src/lib/chat/params';
import type { ChatMessage } from '../../src/lib/store/conversations';
import type { Message } from '#protocol/ollama/types';
import { listenLocal, type LocalServer } from './helpers/http';
import { remoteModel } from './helpers/models';

const message = (seq: number, role: ChatMessage['role'], content: string): ChatMessage => ({
  id: String(seq),
  conversationId: 'c',
  seq,
  createdAt: 0,
  role,
  content
});

const cutHistory = [message(0, 'user', 'Once upon a time'), message(1, 'assistant', ' there was')];

describe('the chat request for Continue', () => {
  it('ends with the partial answer and always carries a cap', () => {
    const request = buildChatRequest('m', { systemPrompt: '', options: {} }, cutHistory);
    expect(request.messages).toEqual([
      { role: 'user', content: 'Once upon a time' },
      { role: 'assistant', content: ' there was' }
    ]);
    expect(request.options?.num_predict).toBe(PRESET_MAX_TOKENS.balanced);
  });
});

describe('in-browser engines', () => {
  const continuing: Message[] = [
    { role: 'system', content: 'Tell stories.' },
    { role: 'user', content: 'Once upon a time' },
    { role: 'assistant', content: ' there was' }
  ];

  it('base models complete the prompt followed by the partial answer, verbatim', () => {
    expect(completionPromptFromChat(continuing)).toBe(
      'Tell stories.\n\nOnce upon a time there was'
    );
    // An earlier answer followed by a new question is not a continuation.
    expect(
      completionPromptFromChat([...continuing, { role: 'user', content: 'Another one' }])
    ).toBe('Tell stories.\n\nAnother one');
  });

  it('wllama chat models get the trailing assistant turn, which llama.cpp prefills', () => {
    expect(wllamaMessages(continuing).at(-1)).toEqual({ role: 'assistant', content: ' there was' });
    expect(llamaSamplingParams({ num_predict: 8 })).toMatchObject({ n_predict: 8 });
  });

  it('web-llm, which refuses a trailing assistant turn, is asked to go on instead', () => {
    const request = toWebLlmChatRequest({
      model: 'm',
      messages: continuing,
      options: { num_predict: 8 }
    });
    expect(request.max_tokens).toBe(8);
    expect(request.messages.slice(-2)).toEqual([
      { role: 'assistant', content: ' there was' },
      { role: 'user', content: CONTINUE_PROMPT }
    ]);
    // An ordinary request is left alone.
    const plain = toWebLlmChatRequest({ model: 'm', messages: continuing.slice(0, 2) });
    expect(plain.messages.at(-1)).toEqual({ role: 'user', content: 'Once upon a time' });
  });

  it('both report a cap cut as done_reason "length"', () => {
    expect(finishToDoneReason('length')).toBe('length');
    expect(finishToDoneReason('stop')).toBe('stop');
  });
});

describe('remote engine', () => {
  let server: LocalServer;
  const bodies: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await listenLocal((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        if (req.url === '/api/show') return res.writeHead(200).end('{}');
        bodies.push(JSON.parse(raw));
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const line = (v: unknown) => JSON.stringify(v) + '\n';
        const base = { model: 'llama3', created_at: '' };
        res.write(line({ ...base, message: { role: 'assistant', content: ' a' }, done: false }));
        res.end(
          line({
            ...base,
            message: { role: 'assistant', content: '' },
            done: true,
            done_reason: 'length',
            eval_count: 8
          })
        );
      });
    });
  });

  afterAll(() => server.close());

  it('sends the cap and the trailing assistant turn as is, and passes "length" back', async () => {
    const model = remoteModel('remote:llama3');
    const engine = new RemoteEngine({ baseUrl: server.url });
    await engine.load(model, () => undefined);
    const request = buildChatRequest(
      model.id,
      { systemPrompt: '', options: { num_predict: 8 } },
      cutHistory
    );
    const chunks = [];
    for await (const chunk of engine.chat(request)) chunks.push(chunk);
    expect(chunks.at(-1)).toMatchObject({ done: true, done_reason: 'length', eval_count: 8 });
    expect(bodies[0]).toMatchObject({
      model: 'llama3',
      options: { num_predict: 8 },
      messages: [
        { role: 'user', content: 'Once upon a time' },
        { role: 'assistant', content: ' there was' }
      ]
    });
  });
});
