/**
 * OpenAI-compatible endpoints under /v1, as Ollama serves them: chat completions and
 * completions (SSE streams ending in `data: [DONE]`), models, embeddings. Errors use
 * OpenAI's `{"error": {message, type, param, code}}` shape, bad bodies included.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type {
  OAIChatChunk,
  OAIChatCompletion,
  OAICompletion,
  OAIEmbeddingResponse,
  OAIError,
  OAIModel,
  OAIToolCall,
  OAIUsage
} from '../../src/lib/ollama/openai';
import type { Format, Message, Options, ToolCall } from '../../src/lib/ollama/types';
import { sseEvent } from '../../src/lib/ollama/stream';
import type { ServerContext } from '../context';
import { badRequest } from '../errors';
import { truncateDimensions } from '../runtime/embed';
import { clientSignal, resume, sendStream } from '../runtime/http';
import type { GenerateEvent, GenerateJob, GenerateResult } from '../runtime/scheduler';
import { parseBody } from './inference';
import { accessOf } from '../auth/access';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error'
};

export function openAIError(status: number, message: string): OAIError {
  return { error: { message, type: ERROR_TYPES[status] ?? 'api_error', param: null, code: null } };
}

function errorHandler(
  error: FastifyError & { status?: number },
  _request: FastifyRequest,
  reply: FastifyReply
) {
  const status = error.status ?? error.statusCode ?? 500;
  return reply.status(status).send(openAIError(status, error.message));
}

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
const chatSchema = z.object({
  model,
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
        content: z.union([z.string(), z.array(contentPart)]).nullish(),
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
    .min(1, 'messages must not be empty'),
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

const completionSchema = z.object({
  model,
  prompt: z.union([z.string(), z.array(z.string()).max(1, 'only one prompt is supported')]),
  suffix: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  ...sampling
});

const embeddingSchema = z.object({
  model,
  input: z.union([z.string(), z.array(z.string()).min(1, 'input must not be empty')]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).nullish()
});

type Sampling = { [K in keyof typeof sampling]?: z.infer<(typeof sampling)[K]> };

function toOptions(body: Sampling, maxTokens?: number | null): Options {
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

function toMessages(messages: z.infer<typeof chatSchema>['messages']): Message[] {
  return messages.map((m) => {
    let content = '';
    if (typeof m.content === 'string') content = m.content;
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type === 'text') content += part.text ?? '';
        else if (part.type === 'image_url')
          throw badRequest(`image input is not supported by this model`);
        else throw badRequest(`unsupported content part type "${part.type}"`);
      }
    }
    const message: Message = { role: m.role === 'developer' ? 'system' : m.role, content };
    if (m.tool_calls?.length) {
      message.tool_calls = m.tool_calls.map((call) => {
        let args: unknown;
        try {
          args = JSON.parse(call.function.arguments || '{}');
        } catch {
          throw badRequest(`tool call arguments for "${call.function.name}" are not valid JSON`);
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

function toFormat(format: z.infer<typeof chatSchema>['response_format']): Format | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return 'json';
  if (!format.json_schema?.schema)
    throw badRequest('response_format.json_schema.schema is required');
  return format.json_schema.schema;
}

const id = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;
const seconds = () => Math.floor(Date.now() / 1000);

function usage(r: GenerateResult): OAIUsage {
  const prompt = r.metrics.prompt_eval_count;
  const completion = r.metrics.eval_count;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion
  };
}

function oaiToolCalls(calls: ToolCall[]): OAIToolCall[] {
  return calls.map((call, index) => ({
    id: `call_${randomBytes(6).toString('hex')}`,
    index,
    type: 'function',
    function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) }
  }));
}

function finishReason(r: GenerateResult): 'stop' | 'length' | 'tool_calls' {
  return r.toolCalls?.length ? 'tool_calls' : r.doneReason;
}

interface SseFramer {
  chunk(text: string): object;
  final(result: GenerateResult): object[];
  whole(text: string, result: GenerateResult): object;
}

async function answer(
  ctx: ServerContext,
  reply: FastifyReply,
  job: GenerateJob,
  stream: boolean,
  framer: SseFramer
): Promise<FastifyReply> {
  const events = ctx.scheduler.generate(job);
  const first = await events.next();
  if (!stream) {
    let text = '';
    for await (const event of resume(first, events)) {
      if (event.type === 'text') text += event.text;
      else return reply.send(framer.whole(text, event.result));
    }
    throw new Error('generation ended without a result');
  }
  async function* lines(): AsyncGenerator<string> {
    for await (const event of resume<GenerateEvent>(first, events)) {
      if (event.type === 'text') yield sseEvent(framer.chunk(event.text));
      else for (const chunk of framer.final(event.result)) yield sseEvent(chunk);
    }
    yield sseEvent('[DONE]');
  }
  const onError = (message: string) => sseEvent(openAIError(500, message));
  return sendStream(reply, 'text/event-stream', lines(), onError, job.signal);
}

export function registerOpenAIRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const access = accessOf(ctx);

  app.post('/v1/chat/completions', { errorHandler }, async (request, reply) => {
    const body = parseBody(chatSchema, request.body);
    access.assertCanUse(request, body.model);
    const job: GenerateJob = {
      model: body.model,
      input: { kind: 'chat', messages: toMessages(body.messages), tools: body.tools ?? undefined },
      options: toOptions(body, body.max_completion_tokens),
      format: toFormat(body.response_format),
      signal: clientSignal(request, reply)
    };
    const base = {
      id: id('chatcmpl'),
      created: seconds(),
      model: body.model,
      system_fingerprint: 'fp_hearth'
    };
    const includeUsage = body.stream_options?.include_usage === true;
    return answer(ctx, reply, job, body.stream ?? false, {
      chunk: (text): OAIChatChunk => ({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }]
      }),
      final: (r) => {
        const delta: OAIChatChunk['choices'][0]['delta'] = r.toolCalls
          ? { role: 'assistant', tool_calls: oaiToolCalls(r.toolCalls) }
          : {};
        const last: OAIChatChunk = {
          ...base,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta, finish_reason: finishReason(r) }]
        };
        if (!includeUsage) return [last];
        const usageChunk: OAIChatChunk = {
          ...base,
          object: 'chat.completion.chunk',
          choices: [],
          usage: usage(r)
        };
        return [last, usageChunk];
      },
      whole: (text, r): OAIChatCompletion => ({
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: r.toolCalls
              ? { role: 'assistant', content: text || null, tool_calls: oaiToolCalls(r.toolCalls) }
              : { role: 'assistant', content: text },
            finish_reason: finishReason(r)
          }
        ],
        usage: usage(r)
      })
    });
  });

  app.post('/v1/completions', { errorHandler }, async (request, reply) => {
    const body = parseBody(completionSchema, request.body);
    access.assertCanUse(request, body.model);
    const prompt = typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? '');
    const job: GenerateJob = {
      model: body.model,
      input: { kind: 'generate', prompt, suffix: body.suffix ?? undefined },
      options: toOptions(body),
      signal: clientSignal(request, reply)
    };
    const base = {
      id: id('cmpl'),
      created: seconds(),
      model: body.model,
      system_fingerprint: 'fp_hearth'
    };
    const includeUsage = body.stream_options?.include_usage === true;
    const choice = (text: string, finish: 'stop' | 'length' | null) => ({
      text,
      index: 0,
      logprobs: null,
      finish_reason: finish
    });
    return answer(ctx, reply, job, body.stream ?? false, {
      chunk: (text): OAICompletion => ({
        ...base,
        object: 'text_completion',
        choices: [choice(text, null)]
      }),
      final: (r) => {
        const last: OAICompletion = {
          ...base,
          object: 'text_completion',
          choices: [choice('', r.doneReason)]
        };
        return includeUsage
          ? [last, { ...base, object: 'text_completion', choices: [], usage: usage(r) }]
          : [last];
      },
      whole: (text, r): OAICompletion => ({
        ...base,
        object: 'text_completion',
        choices: [choice(text, r.doneReason)],
        usage: usage(r)
      })
    });
  });

  app.get('/v1/models', { errorHandler }, async (request) => ({
    object: 'list' as const,
    data: access
      .filterUsable(request, await ctx.store.list(), (m) => m.name)
      .map((m) => toModel(m.name, new Date(m.modified_at)))
  }));

  app.get('/v1/models/*', { errorHandler }, async (request) => {
    const name = decodeURIComponent((request.params as { '*': string })['*'] ?? '');
    if (!name) throw badRequest('model is required');
    access.assertCanUse(request, name);
    const resolved = await ctx.store.resolve(name);
    return { ...toModel(resolved.name, resolved.modifiedAt), id: name };
  });

  app.post('/v1/embeddings', { errorHandler }, async (request, reply) => {
    const body = parseBody(embeddingSchema, request.body);
    access.assertCanUse(request, body.model);
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const result = await ctx.scheduler.embed({
      model: body.model,
      input,
      signal: clientSignal(request, reply)
    });
    const response: OAIEmbeddingResponse = {
      object: 'list',
      model: body.model,
      data: result.embeddings.map((vector, index) => {
        const values = truncateDimensions(vector, body.dimensions ?? undefined);
        const embedding =
          body.encoding_format === 'base64'
            ? Buffer.from(new Float32Array(values).buffer).toString('base64')
            : values;
        return { object: 'embedding', embedding, index };
      }),
      usage: { prompt_tokens: result.promptEvalCount, total_tokens: result.promptEvalCount }
    };
    return reply.send(response);
  });
}

function toModel(name: string, modified: Date): OAIModel {
  const slash = name.lastIndexOf('/');
  return {
    id: name,
    object: 'model',
    created: Math.floor(modified.getTime() / 1000),
    owned_by: slash > 0 ? name.slice(0, slash) : 'library'
  };
}
