/**
 * Ollama's model-management endpoints: /api/tags, show, create, copy, delete, pull and
 * the blob upload used by create. Bad input is answered with a 4xx before a progress
 * stream begins; once streaming, a failure arrives as a final {"error"} line, as in Ollama.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ndjsonLine } from '#protocol/stream';
import type { ListResponse, ProgressResponse, ShowResponse } from '#protocol/ollama/types';
import {
  copyRequestSchema,
  createRequestSchema,
  deleteRequestSchema,
  pullRequestSchema,
  showRequestSchema
} from '#protocol/ollama/requests';
import type { ServerContext } from '../context';
import { badRequest, notFound } from '../errors';
import { ModelNotFoundError, asModelManager, type PreparedOperation } from '../store/model-store';
import { accessOf } from '../auth/access';
import { ollamaError } from '../http/errors';
import { parseDigest } from '../store/digest';
import { parseName, parseReference } from '../store/layout';
import type { ModelName, ModelReference } from '#protocol/ollama/names';

const createStreamSchema = createRequestSchema.pick({ stream: true });
const digestParams = z.object({ digest: z.string() });

/** Validates a JSON body; unknown fields are ignored, as Ollama ignores them. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    throw badRequest('request body must be a JSON object');
  }
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.');
    throw badRequest(
      field ? `invalid ${field}: ${issue.message}` : (issue?.message ?? 'invalid request')
    );
  }
  return result.data;
}

function requireText(body: { model?: string; name?: string }): string {
  const text = (body.model ?? body.name ?? '').trim();
  if (!text) throw badRequest('model is required');
  return text;
}

/** The request's model name, checked once here: a bad one is a 400 before anything runs. */
function requireName(body: { model?: string; name?: string }): ModelName {
  return parseName(requireText(body));
}

function requireReference(body: { model?: string; name?: string }): ModelReference {
  return parseReference(requireText(body));
}

/**
 * The store's "not found" becomes the 404 the error handler renders, naming the model as
 * the client spelled it (as Ollama does) when the route knows that spelling.
 */
async function storeCall<T>(fn: () => Promise<T>, asRequested?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ModelNotFoundError)
      throw notFound(asRequested ? `model '${asRequested}' not found` : err.message);
    throw err;
  }
}

export function registerModelRoutes(
  app: FastifyInstance,
  ctx: Pick<ServerContext, 'store' | 'access'>
): void {
  const store = asModelManager(ctx.store);
  // Create, copy, delete, pull and blobs are admin-only; server/auth/policy.ts enforces it.
  const access = accessOf(ctx);

  app.get('/api/tags', async (req): Promise<ListResponse> => ({
    models: access.filterUsable(req, await store.list(), (m) => m.name)
  }));

  app.post('/api/show', async (req): Promise<ShowResponse> => {
    const body = parseBody(showRequestSchema, req.body);
    const name = requireName(body);
    const asRequested = requireText(body);
    access.assertCanUse(req, asRequested);
    return storeCall(() => store.show(name, body.verbose ?? false), asRequested);
  });

  app.post('/api/copy', async (req, reply) => {
    const body = parseBody(copyRequestSchema, req.body);
    const source = parseName(body.source, 'source');
    const destination = parseName(body.destination, 'destination');
    await storeCall(() => store.copy(source, destination), body.source.trim());
    return reply.code(200).send();
  });

  app.delete('/api/delete', async (req, reply) => {
    const body = parseBody(deleteRequestSchema, req.body);
    const name = requireName(body);
    await storeCall(() => store.delete(name), requireText(body));
    return reply.code(200).send();
  });

  app.post('/api/create', async (req, reply) => {
    const { stream } = parseBody(createStreamSchema, req.body);
    const early: ProgressResponse[] = [];
    const prepared = await storeCall(() => store.prepareCreate(req.body, (p) => early.push(p)));
    return runOperation(req, reply, prepared, early, stream ?? true);
  });

  app.post('/api/pull', async (req, reply) => {
    const body = parseBody(pullRequestSchema, req.body);
    const name = requireReference(body);
    const early: ProgressResponse[] = [];
    const prepared = await storeCall(() =>
      store.preparePull(name, { insecure: body.insecure }, (p) => early.push(p))
    );
    return runOperation(req, reply, prepared, early, body.stream ?? true);
  });

  app.head('/api/blobs/:digest', async (req, reply) => {
    const { digest } = parseBody(digestParams, req.params);
    return reply.code((await store.hasBlob(parseDigest(digest))) ? 200 : 404).send();
  });

  void app.register(async (scope) => {
    // The blob upload takes raw bytes of any content type (Ollama's own client labels
    // them application/json) and streams them to disk; only this scope sees this parser.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    scope.post('/api/blobs/:digest', async (req, reply) => {
      const digest = parseDigest(parseBody(digestParams, req.params).digest);
      const source = (req.body as NodeJS.ReadableStream | undefined) ?? req.raw;
      const { created } = await store.writeBlob(digest, source as AsyncIterable<Uint8Array>);
      return reply.code(created ? 201 : 200).send();
    });
  });
}

/**
 * Streams progress as NDJSON (lines gathered while preparing come first), or waits and
 * answers one {"status":"success"} when the client asked for stream:false.
 */
async function runOperation(
  req: FastifyRequest,
  reply: FastifyReply,
  prepared: PreparedOperation,
  early: ProgressResponse[],
  stream: boolean
) {
  const aborter = new AbortController();
  // A client that hangs up stops the work; a pull's partial download stays for a resume.
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) aborter.abort();
  });
  if (!stream) {
    await prepared.commit(() => {}, aborter.signal);
    return { status: 'success' } satisfies ProgressResponse;
  }
  const out = new PassThrough();
  for (const line of early) out.write(ndjsonLine(line));
  prepared
    .commit((p) => out.write(ndjsonLine(p)), aborter.signal)
    .then(
      () => out.end(),
      (err: unknown) => {
        req.log.warn({ err }, 'model operation failed');
        out.end(ndjsonLine(ollamaError(err instanceof Error ? err.message : String(err))));
      }
    );
  return reply.type('application/x-ndjson').send(out);
}
