/**
 * /v1 (OpenAI-compatible) endpoints with the official `openai` client and raw fetch for
 * SSE framing, on real stories260K inference. Only the model store is a fake.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAIChatChunk } from '#protocol/openai/types';
import { parseSse, readLines } from '#protocol/stream';
import { STORIES_LISTED as listed, storiesStore } from './fixtures';
import { startInferenceApp } from './inference-app';

describe('OpenAI-compatible endpoints', () => {
  let url = '';
  let close: () => Promise<void>;
  let client: OpenAI;

  beforeAll(async () => {
    const server = await startInferenceApp({}, storiesStore([listed]));
    url = server.url;
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    close = server.close;
  });
  afterAll(async () => close?.());

  const prompt = [{ role: 'user' as const, content: 'Once upon a time' }];

  it('answers a chat completion with usage', async () => {
    const out = await client.chat.completions.create({
      model: 'stories',
      messages: prompt,
      temperature: 0,
      max_tokens: 20
    });
    expect(out.object).toBe('chat.completion');
    expect(out.choices[0].message.content).toMatch(/^, there was a little girl named Lily\./);
    expect(out.choices[0].finish_reason).toBe('length');
    expect(out.usage?.completion_tokens).toBe(20);
    expect(out.usage?.total_tokens).toBe(out.usage!.prompt_tokens + 20);
  });

  it('streams SSE chunks ending in [DONE], with a usage chunk when asked', async () => {
    const whole = await client.chat.completions.create({
      model: 'stories',
      messages: prompt,
      temperature: 0,
      max_tokens: 20
    });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'stories',
        messages: prompt,
        temperature: 0,
        max_tokens: 20,
        stream: true,
        stream_options: { include_usage: true }
      })
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const lines: string[] = [];
    for await (const line of readLines(response.body!)) lines.push(line);
    expect(lines.filter((l) => l !== '').at(-1)).toBe('data: [DONE]');
    const chunks: OAIChatChunk[] = [];
    for await (const chunk of parseSse<OAIChatChunk>(
      (async function* () {
        yield new TextEncoder().encode(lines.join('\n') + '\n');
      })()
    )) {
      chunks.push(chunk);
    }
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole.choices[0].message.content);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage?.completion_tokens).toBe(20);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('length');
  });

  it('streams through the openai client too', async () => {
    const stream = await client.chat.completions.create({
      model: 'stories',
      messages: prompt,
      temperature: 0,
      max_tokens: 64,
      stop: ['Lily'],
      stream: true
    });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(', there was a little girl named ');
    expect(finish).toBe('stop');
  });

  it('honours response_format json_schema', async () => {
    const out = await client.chat.completions.create({
      model: 'stories',
      messages: prompt,
      temperature: 0,
      max_tokens: 32,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'mood',
          schema: {
            type: 'object',
            properties: { happy: { type: 'boolean' } },
            required: ['happy']
          }
        }
      }
    });
    expect(typeof JSON.parse(out.choices[0].message.content!).happy).toBe('boolean');
  });

  it('returns tool calls with JSON-string arguments and finish_reason tool_calls', async () => {
    // A base model never calls tools on its own; a schema makes it write the call shape,
    // which then goes through the same tool-call recognition as a tool-tuned model's output.
    const callSchema = {
      type: 'object',
      properties: {
        name: { const: 'get_weather' },
        arguments: {
          type: 'object',
          properties: { city: { enum: ['Paris', 'Rome'] } },
          required: ['city']
        }
      },
      required: ['name', 'arguments']
    };
    const out = await client.chat.completions.create({
      model: 'stories',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      temperature: 0,
      max_tokens: 64,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } }
          }
        }
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'call', schema: callSchema } }
    });
    const choice = out.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0];
    expect(call.type).toBe('function');
    if (call.type !== 'function') return;
    expect(call.function.name).toBe('get_weather');
    expect(typeof call.function.arguments).toBe('string');
    expect(['Paris', 'Rome']).toContain(JSON.parse(call.function.arguments).city);
  });

  it('completes text on /v1/completions', async () => {
    const out = await client.completions.create({
      model: 'stories',
      prompt: 'Once upon a time',
      temperature: 0,
      max_tokens: 16
    });
    expect(out.object).toBe('text_completion');
    expect(out.choices[0].text).toMatch(/^, there was a little girl/);
    expect(out.usage?.completion_tokens).toBe(16);
  });

  it('lists and shows models', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['stories:latest']);
    expect(list.data[0].created).toBe(Date.parse(listed.modified_at) / 1000);
    const one = await client.models.retrieve('stories');
    expect(one).toMatchObject({ id: 'stories', object: 'model' });
  });

  it('embeds with float and base64 encodings', async () => {
    const out = await client.embeddings.create({
      model: 'stories',
      input: ['a cat', 'a dog'],
      encoding_format: 'float'
    });
    expect(out.data).toHaveLength(2);
    expect(out.data[0].embedding).toHaveLength(64);
    const raw = await fetch(`${url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories', input: 'a cat', encoding_format: 'base64' })
    });
    const encoded = (await raw.json()).data[0].embedding as string;
    const floats = new Float32Array(new Uint8Array(Buffer.from(encoded, 'base64')).buffer);
    expect(floats.length).toBe(64);
    expect(floats[0]).toBeCloseTo(out.data[0].embedding[0], 5);
  });

  it('uses the OpenAI error shape and statuses', async () => {
    const notFound = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'nope', messages: prompt })
    });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({
      error: {
        message: "model 'nope' not found",
        type: 'not_found_error',
        param: null,
        code: 'model_not_found'
      }
    });
    const malformed = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":'
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.type).toBe('invalid_request_error');
    await expect(
      client.chat.completions.create({ model: 'stories', messages: [] })
    ).rejects.toMatchObject({ status: 400 });
  });
});
