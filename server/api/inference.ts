/**
 * Ollama's inference endpoints: /api/generate, /api/chat (NDJSON streams or one JSON),
 * /api/embed, the legacy /api/embeddings, and /api/ps. Request shapes follow Ollama's
 * docs/api.md; unknown fields are ignored, bad ones are a 400.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  ChatResponse,
  EmbedResponse,
  GenerateResponse,
  Message
} from '#protocol/ollama/types';
import {
  chatRequestSchema,
  embedRequestSchema,
  embeddingsRequestSchema,
  generateRequestSchema,
  type ParsedGenerateRequest
} from '#protocol/ollama/requests';
import { readEmbedInput } from '#protocol/ollama/read-request';
import { ndjsonLine } from '#protocol/stream';
import type { ServerContext } from '../context';
import { badRequest } from '../errors';
import { truncateDimensions } from '../runtime/embed';
import { clientSignal, keepAliveOf } from '../runtime/http';
import { checkRequestTemplate } from '../runtime/template-prompt';
import type { GenerateJob, GenerateResult } from '../runtime/scheduler';
import { accessOf } from '../auth/access';
import { ollamaError } from '../http/errors';
import { answerGeneration, type Framer, type StreamEncoding } from './answer';
import { parseBody } from './validate';

function refuseUnsupported(
  model: string,
  images: unknown[] | null | undefined,
  think: unknown
): void {
  if (images && images.length > 0) throw badRequest(`${model} does not support images`);
  if (think === true || (typeof think === 'string' && think !== ''))
    throw badRequest(`"${model}" does not support thinking`);
}

const now = () => new Date().toISOString();

/** Ollama's NDJSON: one object a line, and a failure mid-stream as a final {"error"} line. */
const NDJSON: StreamEncoding = {
  contentType: 'application/x-ndjson',
  line: ndjsonLine,
  error: (message) => ndjsonLine(ollamaError(message))
};

type SamplingFields = Pick<ParsedGenerateRequest, 'model' | 'options' | 'format' | 'truncate'>;

/** The fields a generate and a chat job share. */
function jobBase(
  body: SamplingFields,
  keepAliveMs: number | undefined,
  request: FastifyRequest,
  reply: FastifyReply
): Omit<GenerateJob, 'input'> {
  return {
    model: body.model,
    options: body.options,
    format: body.format || undefined,
    truncate: body.truncate ?? true,
    keepAliveMs,
    signal: clientSignal(request, reply)
  };
}

/**
 * A request with nothing to generate loads the model (or unloads it with keep_alive 0),
 * as Ollama does; `done` is the empty final answer the client gets back.
 */
async function loadOrUnload(
  ctx: ServerContext,
  reply: FastifyReply,
  body: Pick<SamplingFields, 'model' | 'options'>,
  keepAliveMs: number | undefined,
  done: GenerateResponse | ChatResponse
): Promise<FastifyReply> {
  await ctx.store.resolve(body.model);
  if (keepAliveMs === 0) {
    await ctx.scheduler.unload(body.model);
    return reply.send({ ...done, done_reason: 'unload' });
  }
  await ctx.scheduler.load({ model: body.model, options: body.options, keepAliveMs });
  return reply.send({ ...done, done_reason: 'load' });
}

export function registerInferenceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const access = accessOf(ctx);

  app.post('/api/generate', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = parseBody(generateRequestSchema, request.body);
    access.assertCanUse(request, body.model);
    refuseUnsupported(body.model, body.images, body.think);
    const keepAliveMs = keepAliveOf(body.keep_alive);
    if (!body.prompt && !body.suffix && !(body.context?.length ?? 0)) {
      return loadOrUnload(ctx, reply, body, keepAliveMs, {
        model: body.model,
        created_at: now(),
        response: '',
        done: true
      } satisfies GenerateResponse);
    }
    if (body.template && !body.raw) checkRequestTemplate(body.template);
    const job: GenerateJob = {
      ...jobBase(body, keepAliveMs, request, reply),
      input: {
        kind: 'generate',
        prompt: body.prompt ?? '',
        system: body.system ?? undefined,
        suffix: body.suffix ?? undefined,
        template: body.template || undefined,
        raw: body.raw ?? false,
        context: body.context ?? undefined
      }
    };
    const base = () => ({ model: body.model, created_at: now() });
    const framer: Framer = {
      chunk: (text): GenerateResponse => ({ ...base(), response: text, done: false }),
      final: (r): GenerateResponse[] => [
        { ...base(), response: '', ...finalFields(r), context: r.context }
      ],
      whole: (text, r): GenerateResponse => ({
        ...base(),
        response: text,
        ...finalFields(r),
        context: r.context
      })
    };
    return answerGeneration(ctx.scheduler, reply, job, body.stream ?? true, framer, NDJSON);
  });

  app.post('/api/chat', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = parseBody(chatRequestSchema, request.body);
    access.assertCanUse(request, body.model);
    const messages = body.messages ?? [];
    refuseUnsupported(
      body.model,
      messages.flatMap((m) => m.images ?? []),
      body.think
    );
    const keepAliveMs = keepAliveOf(body.keep_alive);
    const assistant = (content: string): Message => ({ role: 'assistant', content });
    if (messages.length === 0) {
      return loadOrUnload(ctx, reply, body, keepAliveMs, {
        model: body.model,
        created_at: now(),
        message: assistant(''),
        done: true
      } satisfies ChatResponse);
    }
    const job: GenerateJob = {
      ...jobBase(body, keepAliveMs, request, reply),
      input: { kind: 'chat', messages, tools: body.tools ?? undefined }
    };
    const base = () => ({ model: body.model, created_at: now() });
    const finalMessage = (content: string, r: GenerateResult): Message =>
      r.toolCalls ? { ...assistant(content), tool_calls: r.toolCalls } : assistant(content);
    const framer: Framer = {
      chunk: (text): ChatResponse => ({ ...base(), message: assistant(text), done: false }),
      final: (r): ChatResponse[] => [
        { ...base(), message: finalMessage('', r), ...finalFields(r) }
      ],
      whole: (text, r): ChatResponse => ({
        ...base(),
        message: finalMessage(text, r),
        ...finalFields(r)
      })
    };
    return answerGeneration(ctx.scheduler, reply, job, body.stream ?? true, framer, NDJSON);
  });

  app.post('/api/embed', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = parseBody(embedRequestSchema, request.body);
    access.assertCanUse(request, body.model);
    const result = await ctx.scheduler.embed({
      model: body.model,
      input: readEmbedInput(body.input),
      truncate: body.truncate ?? true,
      options: body.options,
      keepAliveMs: keepAliveOf(body.keep_alive),
      signal: clientSignal(request, reply)
    });
    const response: EmbedResponse = {
      model: body.model,
      embeddings: result.embeddings.map((v) => truncateDimensions(v, body.dimensions ?? undefined)),
      total_duration: result.totalDurationNs,
      load_duration: result.loadDurationNs,
      prompt_eval_count: result.promptEvalCount
    };
    return reply.send(response);
  });

  app.post('/api/embeddings', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = parseBody(embeddingsRequestSchema, request.body);
    access.assertCanUse(request, body.model);
    const result = await ctx.scheduler.embed({
      model: body.model,
      input: body.prompt ? [body.prompt] : [],
      options: body.options,
      keepAliveMs: keepAliveOf(body.keep_alive),
      signal: clientSignal(request, reply)
    });
    return reply.send({ embedding: result.embeddings[0] ?? [] });
  });

  app.get('/api/ps', async (request) => ({
    models: access.filterUsable(request, ctx.scheduler.ps(), (m) => m.name)
  }));
}

function finalFields(r: GenerateResult) {
  return { done: true as const, done_reason: r.doneReason, ...r.metrics };
}
