/**
 * OpenAI request bodies for /v1 and their translation into the scheduler's Ollama-shaped
 * jobs: sampling fields become Options, content parts and tool calls become Messages,
 * response_format becomes a Format.
 */
import { z } from 'zod';
import type { Format, Message, Options } from '#protocol/ollama/types';
import { badRequest, quoteInput } from '../errors';
import { MAX_CONTENT_PARTS, MAX_MESSAGES, tooManyMessages } from './validate';

const model = z.string({ error: 'model is required' }).trim().min(1, 'model is required');
const stop = z.union([z.string().transform((s) => [s]), z.array(z.string())]).nullish();
const streamOptions = z.object({ include_usage: z.boolean().nullish() }).nullish();
const sampling = {
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  seed: z.number().int().nullish(),
  stop,
  frequency_penalty: z.number().nullish(),
  presence_penalty: z.number().nullish(),
  max_tokens: z.number().int().min(0).nullish()
};

const contentPart = z.object({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.unknown().optional()
});
export const chatSchema = z.object({
  model,
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
        content: z
          .union([
            z.string(),
            z
              .array(contentPart)
              .max(MAX_CONTENT_PARTS, `at most ${MAX_CONTENT_PARTS} content parts per message`)
          ])
          .nullish(),
        name: z.string().nullish(),
        tool_call_id: z.string().nullish(),
        tool_calls: z
          .array(
            z.object({
              id: z.string().optional(),
              function: z.object({ name: z.string(), arguments: z.string() })
            })
          )
          .nullish()
      })
    )
    .min(1, 'messages must not be empty')
    .max(MAX_MESSAGES, tooManyMessages),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  ...sampling,
  max_completion_tokens: z.number().int().min(0).nullish(),
  tools: z
    .array(
      z.object({
        type: z.literal('function'),
        function: z.object({
          name: z.string().min(1),
          description: z.string().optional(),
          parameters: z.record(z.string(), z.unknown()).optional()
        })
      })
    )
    .nullish(),
  response_format: z
    .object({
      type: z.enum(['text', 'json_object', 'json_schema']),
      json_schema: z
        .object({ schema: z.record(z.string(), z.unknown()).optional() })
        .passthrough()
        .optional()
    })
    .nullish()
});

export const completionSchema = z.object({
  model,
  prompt: z.union([z.string(), z.array(z.string()).max(1, 'only one prompt is supported')]),
  suffix: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  ...sampling
});

export const embeddingSchema = z.object({
  model,
  input: z.union([z.string(), z.array(z.string()).min(1, 'input must not be empty')]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).nullish()
});

type Sampling = { [K in keyof typeof sampling]?: z.infer<(typeof sampling)[K]> };

export function toOptions(body: Sampling, maxTokens?: number | null): Options {
  const options: Options = {};
  if (body.temperature != null) options.temperature = body.temperature;
  if (body.top_p != null) options.top_p = body.top_p;
  if (body.seed != null) options.seed = body.seed;
  if (body.stop) options.stop = body.stop;
  if (body.frequency_penalty != null) options.frequency_penalty = body.frequency_penalty;
  if (body.presence_penalty != null) options.presence_penalty = body.presence_penalty;
  const limit = maxTokens ?? body.max_tokens;
  if (limit != null) options.num_predict = limit;
  return options;
}

export function toMessages(messages: z.infer<typeof chatSchema>['messages']): Message[] {
  return messages.map((m) => {
    let content = '';
    if (typeof m.content === 'string') content = m.content;
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type === 'text') content += part.text ?? '';
        else if (part.type === 'image_url')
          throw badRequest(`image input is not supported by this model`);
        else throw badRequest(`unsupported content part type ${quoteInput(part.type)}`);
      }
    }
    const message: Message = { role: m.role === 'developer' ? 'system' : m.role, content };
    if (m.tool_calls?.length) {
      message.tool_calls = m.tool_calls.map((call) => {
        let args: unknown;
        try {
          args = JSON.parse(call.function.arguments || '{}');
        } catch {
          throw badRequest(
            `tool call arguments for ${quoteInput(call.function.name)} are not valid JSON`
          );
        }
        return {
          function: { name: call.function.name, arguments: args as Record<string, unknown> }
        };
      });
    }
    if (m.role === 'tool' && m.name) message.tool_name = m.name;
    return message;
  });
}

export function toFormat(
  format: z.infer<typeof chatSchema>['response_format']
): Format | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return 'json';
  if (!format.json_schema?.schema)
    throw badRequest('response_format.json_schema.schema is required');
  return format.json_schema.schema;
}
