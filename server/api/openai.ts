/**
 * OpenAI-compatible endpoints under /v1, as Ollama serves them: chat completions and
 * completions (SSE streams ending in `data: [DONE]`), models, embeddings. Errors use
 * OpenAI's `{"error": {message, type, param, code}}` shape, bad bodies included: the
 * app's error handler (http/errors.ts) picks it for every /v1 path.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type {
  OAIChatChunk,
  OAIChatCompletion,
  OAICompletion,
  OAIEmbeddingResponse,
  OAIModel,
  OAIToolCall,
  OAIUsage
} from '#protocol/openai/types';
import type { ToolCall } from '#protocol/ollama/types';
import { sseEvent } from '#protocol/stream';
import type { ServerContext } from '../context';
import { badRequest } from '../errors';
import { truncateDimensions } from '../runtime/embed';
import { clientSignal } from '../runtime/http';
import type { GenerateJob, GenerateResult } from '../runtime/scheduler';
import { accessOf } from '../auth/access';
import { answerGeneration, type Framer, type StreamEncoding } from './answer';
import { parseBody } from './validate';
import { openAIError } from '../http/errors';
import {
  oaiChatRequestSchema,
  oaiCompletionRequestSchema,
  oaiEmbeddingRequestSchema
} from '#protocol/openai/requests';
import { toFormat, toMessages, toOptions } from './openai-request';

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

/** OpenAI's SSE: `data:` events, a failure mid-stream as an error event, then [DONE]. */
const SSE: StreamEncoding = {
  contentType: 'text/event-stream',
  line: sseEvent,
  error: (message) => sseEvent(openAIError(500, message)),
  trailer: sseEvent('[DONE]')
};

/** Fields every chunk and completion object of one response repeats. */
function responseBase(prefix: string, model: string) {
  return { id: id(prefix), created: seconds(), model, system_fingerprint: 'fp_hearth' };
}

/** The final stream chunks: the finish, then usage alone when stream_options asked for it. */
function finalChunks<T extends object>(last: T, usageChunk: T | undefined): T[] {
  return usageChunk ? [last, usageChunk] : [last];
}

export function registerOpenAIRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const access = accessOf(ctx);

  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseBody(oaiChatRequestSchema, request.body);
    access.assertCanUse(request, body.model);
    const job: GenerateJob = {
      model: body.model,
      input: { kind: 'chat', messages: toMessages(body.messages), tools: body.tools ?? undefined },
      options: toOptions(body, body.max_completion_tokens),
      format: toFormat(body.response_format),
      signal: clientSignal(request, reply)
    };
    const base = responseBase('chatcmpl', body.model);
    const includeUsage = body.stream_options?.include_usage === true;
    const framer: Framer = {
      chunk: (text): OAIChatChunk => ({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }]
      }),
      final: (r) => {
        const delta: OAIChatChunk['choices'][0]['delta'] = r.toolCalls
          ? { role: 'assistant', tool_calls: oaiToolCalls(r.toolCalls) }
          : {};
        return finalChunks<OAIChatChunk>(
          {
            ...base,
            object: 'chat.completion.chunk',
            choices: [{ index: 0, delta, finish_reason: finishReason(r) }]
          },
          includeUsage
            ? { ...base, object: 'chat.completion.chunk', choices: [], usage: usage(r) }
            : undefined
        );
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
    };
    return answerGeneration(ctx.scheduler, reply, job, body.stream ?? false, framer, SSE);
  });

  app.post('/v1/completions', async (request, reply) => {
    const body = parseBody(oaiCompletionRequestSchema, request.body);
    access.assertCanUse(request, body.model);
    const prompt = typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? '');
    const job: GenerateJob = {
      model: body.model,
      input: { kind: 'generate', prompt, suffix: body.suffix ?? undefined },
      options: toOptions(body),
      signal: clientSignal(request, reply)
    };
    const base = responseBase('cmpl', body.model);
    const includeUsage = body.stream_options?.include_usage === true;
    const choice = (text: string, finish: 'stop' | 'length' | null) => ({
      text,
      index: 0,
      logprobs: null,
      finish_reason: finish
    });
    const framer: Framer = {
      chunk: (text): OAICompletion => ({
        ...base,
        object: 'text_completion',
        choices: [choice(text, null)]
      }),
      final: (r) =>
        finalChunks<OAICompletion>(
          { ...base, object: 'text_completion', choices: [choice('', r.doneReason)] },
          includeUsage
            ? { ...base, object: 'text_completion', choices: [], usage: usage(r) }
            : undefined
        ),
      whole: (text, r): OAICompletion => ({
        ...base,
        object: 'text_completion',
        choices: [choice(text, r.doneReason)],
        usage: usage(r)
      })
    };
    return answerGeneration(ctx.scheduler, reply, job, body.stream ?? false, framer, SSE);
  });

  app.get('/v1/models', async (request) => ({
    object: 'list' as const,
    data: access
      .filterUsable(request, await ctx.store.list(), (m) => m.name)
      .map((m) => toModel(m.name, new Date(m.modified_at)))
  }));

  app.get('/v1/models/*', async (request) => {
    // Fastify has already decoded the path (a malformed escape is a 400 in bad-url.ts);
    // decoding again would turn "%25" into a second escape.
    const name = (request.params as { '*': string })['*'] ?? '';
    if (!name) throw badRequest('model is required');
    access.assertCanUse(request, name);
    const resolved = await ctx.store.resolve(name);
    return { ...toModel(resolved.name, resolved.modifiedAt), id: name };
  });

  app.post('/v1/embeddings', async (request, reply) => {
    const body = parseBody(oaiEmbeddingRequestSchema, request.body);
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
