/**
 * The request schemas in the protocol package are the one source of the request types:
 * they take what Ollama's docs/api.md shows clients sending, refuse the bad cases with
 * the messages the server answers, and the exported types are exactly their z.input /
 * z.output.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  chatRequestSchema,
  copyRequestSchema,
  createRequestSchema,
  embedRequestSchema,
  generateRequestSchema,
  type ParsedChatRequest
} from '#protocol/ollama/requests';
import type {
  ChatRequest,
  CreateRequest,
  EmbedRequest,
  GenerateRequest,
  Message,
  RequestMessage
} from '#protocol/ollama/types';
import { MAX_IMAGES, MAX_MESSAGES } from '#protocol/ollama/limits';
import {
  MAX_CONTENT_PARTS,
  oaiChatRequestSchema,
  oaiCompletionRequestSchema,
  type OAIChatRequest
} from '#protocol/openai/requests';
import { permissionsRequestSchema, setupRequestSchema } from '#protocol/portal/requests';
import { newWidgetKeySchema } from '#protocol/widget/requests';
import type { NewWidgetKey } from '#protocol/widget/types';
import { readEmbedInput, readMessages, readOptions } from '#protocol/ollama/read-request';

/** The first problem the server would report: its field path and message. */
function firstIssue(schema: z.ZodType, body: unknown) {
  const result = schema.safeParse(body);
  if (result.success) throw new Error(`accepted: ${JSON.stringify(body)}`);
  const issue = result.error.issues[0];
  return { path: issue.path.join('.'), message: issue.message };
}

const IMAGE =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe("Ollama's documented requests", () => {
  it('a generate with options, a format schema, images and keep_alive', () => {
    const body: GenerateRequest = {
      model: 'llama3.2',
      prompt: 'Why is the sky blue?',
      stream: false,
      format: { type: 'object', properties: { age: { type: 'integer' } }, required: ['age'] },
      images: [IMAGE],
      keep_alive: '5m',
      options: { temperature: 0.8, num_ctx: 4096, stop: '\n', top_k: null }
    };
    const parsed = generateRequestSchema.parse(body);
    expect(parsed.model).toBe('llama3.2');
    expect(parsed.options).toEqual({ temperature: 0.8, num_ctx: 4096, stop: ['\n'] });
    expect(parsed.format).toEqual(body.format);
  });

  it('a chat with tools, a tool call in the history, a tool answer and an image', () => {
    const body: ChatRequest = {
      model: 'llava',
      messages: [
        { role: 'user', content: 'What is the weather today in Paris?', images: [IMAGE] },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              function: {
                name: 'get_current_weather',
                arguments: { format: 'celsius', location: 'Paris, FR' }
              }
            }
          ]
        },
        { role: 'tool', content: '22', tool_name: 'get_current_weather' },
        { role: 'assistant' }
      ],
      stream: false,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_current_weather',
            description: 'Get the current weather for a location',
            parameters: {
              type: 'object',
              properties: { location: { type: 'string' }, format: { enum: ['celsius'] } },
              required: ['location', 'format']
            }
          }
        }
      ]
    };
    const parsed = chatRequestSchema.parse(body);
    expect(parsed.messages?.[0].images).toEqual([IMAGE]);
    expect(parsed.messages?.[1].tool_calls?.[0].function.arguments).toEqual({
      format: 'celsius',
      location: 'Paris, FR'
    });
    expect(parsed.messages?.[2].tool_name).toBe('get_current_weather');
    // Content left out reads as "", as Ollama's decoder gives a missing string.
    expect(parsed.messages?.[3].content).toBe('');
    expect(parsed.tools?.[0].function.name).toBe('get_current_weather');
  });

  it('an embed with an array input', () => {
    const body: EmbedRequest = {
      model: 'all-minilm',
      input: ['Why is the sky blue?', 'Why is the grass green?']
    };
    expect(embedRequestSchema.parse(body).input).toEqual(body.input);
  });

  it('a create from an existing model with parameters', () => {
    const body: CreateRequest = {
      model: 'mario',
      from: 'llama3.2',
      system: 'You are Mario from Super Mario Bros.',
      parameters: { temperature: 0.7, num_ctx: 4096, stop: ['<|im_end|>'] }
    };
    expect(createRequestSchema.parse(body)).toEqual(body);
  });
});

describe('refusals carry the messages the server answers with', () => {
  it('a missing or blank model', () => {
    expect(firstIssue(generateRequestSchema, { prompt: 'hi' }).message).toBe('model is required');
    expect(firstIssue(chatRequestSchema, { model: '  ' }).message).toBe('model is required');
    expect(firstIssue(oaiChatRequestSchema, { messages: [] }).message).toBe('model is required');
  });

  it('too many messages, images or content parts', () => {
    const messages = Array.from({ length: MAX_MESSAGES + 1 }, () => ({ role: 'user' }));
    expect(firstIssue(chatRequestSchema, { model: 'm', messages })).toEqual({
      path: 'messages',
      message: `at most ${MAX_MESSAGES} messages per request`
    });
    const images = Array.from({ length: MAX_IMAGES + 1 }, () => IMAGE);
    expect(
      firstIssue(chatRequestSchema, { model: 'm', messages: [{ role: 'user', images }] })
    ).toEqual({ path: 'messages.0.images', message: `at most ${MAX_IMAGES} images per message` });
    // Inside a union (a string, or a list of parts) zod reports only that no branch fit:
    // the server has always answered "Invalid input" here, not the limit's own words.
    const content = Array.from({ length: MAX_CONTENT_PARTS + 1 }, () => ({ type: 'text' }));
    expect(
      firstIssue(oaiChatRequestSchema, { model: 'm', messages: [{ role: 'user', content }] })
    ).toEqual({ path: 'messages.0.content', message: 'Invalid input' });
    const parts = content.slice(0, MAX_CONTENT_PARTS);
    expect(
      oaiChatRequestSchema.safeParse({ model: 'm', messages: [{ role: 'user', content: parts }] })
        .success
    ).toBe(true);
  });

  it('bad fields of Ollama, OpenAI and portal requests', () => {
    expect(firstIssue(chatRequestSchema, { model: 'm', options: { num_ctx: -1 } }).path).toBe(
      'options.num_ctx'
    );
    expect(firstIssue(chatRequestSchema, { model: 'm', messages: [{ role: 'robot' }] }).path).toBe(
      'messages.0.role'
    );
    expect(firstIssue(copyRequestSchema, { source: '', destination: 'b' }).message).toBe(
      'source is required'
    );
    expect(firstIssue(oaiChatRequestSchema, { model: 'm', messages: [] }).message).toBe(
      'messages must not be empty'
    );
    expect(firstIssue(oaiCompletionRequestSchema, { model: 'm', prompt: ['a', 'b'] })).toEqual({
      path: 'prompt',
      message: 'Invalid input'
    });
    expect(firstIssue(setupRequestSchema, { username: 'ann', password: 'short' })).toEqual({
      path: 'password',
      message: 'password must be at least 8 characters'
    });
    const models = { name: 'wiki', origins: ['https://wiki.example'], models: ['bad name!'] };
    expect(firstIssue(newWidgetKeySchema, models)).toEqual({
      path: 'models.0',
      message: 'invalid model pattern "bad name!"'
    });
    const grant = { subjectType: 'user', subjectId: 1, modelPattern: 'Stories', canUse: true };
    expect(permissionsRequestSchema.parse(grant)).toEqual({
      grants: [{ ...grant, modelPattern: 'stories', canDownload: false }]
    });
    const key = { name: 'wiki', origins: [], models: ['stories'] };
    expect(firstIssue(newWidgetKeySchema, key)).toEqual({
      path: 'origins',
      message: 'list at least one origin'
    });
  });
});

describe('request types are the schemas’ own', () => {
  it('derives each request type from its schema', () => {
    expectTypeOf<ChatRequest>().toEqualTypeOf<z.input<typeof chatRequestSchema>>();
    expectTypeOf<ParsedChatRequest>().toEqualTypeOf<z.output<typeof chatRequestSchema>>();
    expectTypeOf<GenerateRequest>().toEqualTypeOf<z.input<typeof generateRequestSchema>>();
    expectTypeOf<CreateRequest>().toEqualTypeOf<z.input<typeof createRequestSchema>>();
    expectTypeOf<OAIChatRequest>().toEqualTypeOf<z.input<typeof oaiChatRequestSchema>>();
    expectTypeOf<NewWidgetKey>().toEqualTypeOf<z.input<typeof newWidgetKeySchema>>();
    // What the server answers with can be sent back in the next request.
    expectTypeOf<Message>().toExtend<RequestMessage>();
    expectTypeOf<ParsedChatRequest['options']>().toEqualTypeOf<ReturnType<typeof readOptions>>();
  });

  it("reads a request's loose fields in the page as the schemas do on the server", () => {
    const body: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: null, tool_calls: [{ function: { name: 'f' } }] }],
      options: { temperature: null, stop: '###', seed: 3 }
    };
    const parsed = chatRequestSchema.parse(body);
    expect(readMessages(body.messages)).toEqual(parsed.messages);
    expect(readOptions(body.options)).toEqual(parsed.options);
    expect(readOptions(null)).toBeUndefined();
    expect(readEmbedInput('one')).toEqual(['one']);
    expect(readEmbedInput(['a', 'b'])).toEqual(['a', 'b']);
    expect(readEmbedInput(null)).toEqual([]);
  });
});
