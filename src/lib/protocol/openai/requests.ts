/**
 * OpenAI request bodies for /v1 as zod schemas, the one place they are declared: the
 * server validates with them, and each request type is derived — `OAIXRequest` is what a
 * client may send (z.input), `ParsedOAIXRequest` what the server reads (z.output).
 * Unknown fields (tool_choice, user, …) are accepted and dropped.
 *
 * Built when the module loads: only the server and tests import it at runtime (see
 * ../ollama/requests for why the app imports types only).
 */
import { z } from 'zod';
import { MAX_MESSAGES, tooManyMessages } from '../ollama/limits';
import { MODEL_REQUIRED } from '../ollama/requests';

/** Content parts of one OpenAI message (text and images together). */
export const MAX_CONTENT_PARTS = 256;

const model = z.string({ error: MODEL_REQUIRED }).trim().min(1, MODEL_REQUIRED);
const stop = z.union([z.string().transform((s) => [s]), z.array(z.string())]).nullish();
const streamOptions = z.object({ include_usage: z.boolean().nullish() }).nullish();

/** The sampling fields chat and completions share; the server maps them onto Options. */
export const samplingFields = {
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

export const oaiMessageSchema = z.object({
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
});

export const oaiChatRequestSchema = z.object({
  model,
  messages: z
    .array(oaiMessageSchema)
    .min(1, 'messages must not be empty')
    .max(MAX_MESSAGES, tooManyMessages),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  ...samplingFields,
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

export const oaiCompletionRequestSchema = z.object({
  model,
  prompt: z.union([z.string(), z.array(z.string()).max(1, 'only one prompt is supported')]),
  suffix: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  ...samplingFields
});

export const oaiEmbeddingRequestSchema = z.object({
  model,
  input: z.union([z.string(), z.array(z.string()).min(1, 'input must not be empty')]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).nullish()
});

export type OAIMessage = z.input<typeof oaiMessageSchema>;
export type ParsedOAIMessage = z.output<typeof oaiMessageSchema>;
export type OAIChatRequest = z.input<typeof oaiChatRequestSchema>;
export type ParsedOAIChatRequest = z.output<typeof oaiChatRequestSchema>;
export type OAICompletionRequest = z.input<typeof oaiCompletionRequestSchema>;
export type ParsedOAICompletionRequest = z.output<typeof oaiCompletionRequestSchema>;
export type OAIEmbeddingRequest = z.input<typeof oaiEmbeddingRequestSchema>;
export type ParsedOAIEmbeddingRequest = z.output<typeof oaiEmbeddingRequestSchema>;
/** The sampling fields as the server reads them (a stop string is a list of one). */
export type ParsedSampling = {
  [K in keyof typeof samplingFields]?: z.output<(typeof samplingFields)[K]>;
};
