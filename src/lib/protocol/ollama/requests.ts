/**
 * Ollama's request bodies as zod schemas, the one place they are declared: the server
 * validates with them, and each request type is derived from its schema — `XRequest` is
 * what a client may send (z.input), `ParsedXRequest` what the server reads once the body
 * is checked (z.output). Unknown fields are dropped, as Ollama's Go decoder ignores them.
 *
 * The schemas are built when this module loads, so only the server and tests import it
 * at runtime; the app imports its types only (`import type`), which keeps zod out of the
 * chat page and its eval probe away from the page's CSP (see ./options-schema).
 */
import { z } from 'zod';
import { MAX_IMAGES, MAX_MESSAGES, tooManyImages, tooManyMessages } from './limits';
import { requestOptionsSchema } from './options-schema';

/** Ollama's own wording for a missing or blank model, which the server answers verbatim. */
export const MODEL_REQUIRED = 'model is required';

const modelName = z.string({ error: MODEL_REQUIRED }).trim().min(1, MODEL_REQUIRED);
const keepAlive = z.union([z.string(), z.number()]).nullish();
/** "json", or a JSON schema object the output must satisfy; "" means none. */
const format = z
  .union([z.literal('json'), z.literal(''), z.record(z.string(), z.unknown())])
  .nullish();
const think = z.union([z.boolean(), z.string()]).nullish();
const images = z.array(z.string()).max(MAX_IMAGES, tooManyImages).nullish();

/** Ollama sends arguments as an object, not a JSON string (OpenAI does the latter). */
export const toolCallSchema = z.object({
  function: z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()).default({}) })
});

export const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z
    .string()
    .nullish()
    .transform((c) => c ?? ''),
  /** Base64 images; accepted on the wire, refused by text-only models. */
  images,
  tool_calls: z.array(toolCallSchema).nullish(),
  tool_name: z.string().optional(),
  thinking: z.string().optional()
});

export const toolSchema = z.object({
  type: z.literal('function').default('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional()
  })
});

export const generateRequestSchema = z.object({
  model: modelName,
  prompt: z.string().nullish(),
  suffix: z.string().nullish(),
  system: z.string().nullish(),
  template: z.string().nullish(),
  context: z.array(z.number().int().min(0)).nullish(),
  stream: z.boolean().nullish(),
  raw: z.boolean().nullish(),
  truncate: z.boolean().nullish(),
  format,
  images,
  keep_alive: keepAlive,
  options: requestOptionsSchema(),
  think
});

export const chatRequestSchema = z.object({
  model: modelName,
  messages: z.array(messageSchema).max(MAX_MESSAGES, tooManyMessages).nullish(),
  tools: z.array(toolSchema).nullish(),
  stream: z.boolean().nullish(),
  truncate: z.boolean().nullish(),
  format,
  keep_alive: keepAlive,
  options: requestOptionsSchema(),
  think
});

export const embedRequestSchema = z.object({
  model: modelName,
  input: z.union([z.string(), z.array(z.string())]).nullish(),
  truncate: z.boolean().nullish(),
  keep_alive: keepAlive,
  options: requestOptionsSchema(),
  dimensions: z.number().int().min(1).nullish()
});

/** Legacy /api/embeddings. */
export const embeddingsRequestSchema = z.object({
  model: modelName,
  prompt: z.string().nullish(),
  keep_alive: keepAlive,
  options: requestOptionsSchema()
});

/*
 * Model management. These bodies keep their fields optional: a missing name is refused
 * by the route ("model is required") after `model` and the legacy `name` are both read.
 */
const nameFields = { model: z.string().optional(), name: z.string().optional() };

export const showRequestSchema = z.object({ ...nameFields, verbose: z.boolean().optional() });
export const deleteRequestSchema = z.object(nameFields);
export const copyRequestSchema = z.object({
  source: z.string().min(1, 'source is required'),
  destination: z.string().min(1, 'destination is required')
});
export const pullRequestSchema = z.object({
  ...nameFields,
  insecure: z.boolean().optional(),
  stream: z.boolean().optional()
});

/**
 * POST /api/create in Ollama's current form: a base (`from` an existing model, or
 * uploaded GGUF `files`: file name → "sha256:<hex>") plus template/system/parameters/
 * messages/license layers.
 */
export const createRequestSchema = z.object({
  model: z.string().optional(),
  name: z.string().optional(),
  from: z.string().optional(),
  files: z.record(z.string(), z.string()).optional(),
  adapters: z.record(z.string(), z.string()).optional(),
  template: z.string().optional(),
  system: z.string().optional(),
  license: z.union([z.string(), z.array(z.string())]).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  messages: z
    .array(z.object({ role: z.enum(['system', 'user', 'assistant', 'tool']), content: z.string() }))
    .optional(),
  quantize: z.string().optional(),
  stream: z.boolean().optional()
});

export type GenerateRequest = z.input<typeof generateRequestSchema>;
export type ParsedGenerateRequest = z.output<typeof generateRequestSchema>;
export type ChatRequest = z.input<typeof chatRequestSchema>;
export type ParsedChatRequest = z.output<typeof chatRequestSchema>;
export type EmbedRequest = z.input<typeof embedRequestSchema>;
export type ParsedEmbedRequest = z.output<typeof embedRequestSchema>;
export type EmbeddingsRequest = z.input<typeof embeddingsRequestSchema>;
export type ParsedEmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;
export type ShowRequest = z.input<typeof showRequestSchema>;
export type DeleteRequest = z.input<typeof deleteRequestSchema>;
export type CopyRequest = z.input<typeof copyRequestSchema>;
export type PullRequest = z.input<typeof pullRequestSchema>;
export type PushRequest = PullRequest;
export type CreateRequest = z.input<typeof createRequestSchema>;

/**
 * A chat message as the server reads it (content always a string) and answers it; a
 * request may send the looser RequestMessage (content null or absent means "").
 */
export type Message = z.output<typeof messageSchema>;
export type RequestMessage = z.input<typeof messageSchema>;
export type Role = Message['role'];
export type Tool = z.output<typeof toolSchema>;
/** A tool call; in an answer Ollama numbers the calls (`index`), which a request's omit. */
export type ToolCall = z.output<typeof toolCallSchema> & { function: { index?: number } };
/** "json", or a JSON schema object that the output must satisfy. */
export type Format = Exclude<NonNullable<z.output<typeof format>>, ''>;
/** A duration string ("5m", "1h30s"), seconds as a number, or a negative value for "forever". */
export type KeepAlive = NonNullable<z.input<typeof keepAlive>>;
