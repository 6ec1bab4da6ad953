/**
 * The one mapping from a thrown error to an HTTP answer (server/http/error-status.ts):
 * each domain kind gets its status and headers, parse errors of the protocol package
 * are 400s, an unforeseen error is a 500 that says so, and every API family renders the
 * same mapping in its own shape with the message capped.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelfileError, parseModelfile } from '#protocol/modelfile/format';
import { ParameterError, normalizeParameters } from '#protocol/modelfile/parameters';
import { ModelNameError, parseModelName } from '#protocol/ollama/names';
import {
  BusyError,
  CanceledError,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  ModelDefectError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  UpstreamError
} from '../../server/domain-errors';
import type { ErrorDetail } from '#protocol/errors';
import { HttpError, MAX_ERROR_MESSAGE } from '../../server/errors';
import { configureHttp } from '../../server/http/configure';
import { MALFORMED_URL, httpStatusOf, toHttpFailure } from '../../server/http/error-status';
import { ModelNotFoundError } from '../../server/store/model-store';
import { AbortedError } from '../../server/runtime/generate';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('toHttpFailure', () => {
  it.each([
    [new InvalidInputError('bad'), 400],
    [new UnauthorizedError('who'), 401],
    [new ForbiddenError('no'), 403],
    [new NotFoundError('gone'), 404],
    [new ModelNotFoundError('llama3'), 404],
    [new ConflictError('taken'), 409],
    [new CanceledError(), 499],
    [new AbortedError(), 499],
    [new ModelDefectError('model template: unclosed action'), 500],
    [new UpstreamError('registry answered 500'), 502],
    [new BusyError('server is shutting down'), 503]
  ])('maps %s to %i, message as thrown, no headers', (error, status) => {
    expect(toHttpFailure(error)).toEqual({
      status,
      message: error.message,
      headers: {},
      detail: error.detail
    });
    expect(httpStatusOf(error)).toBe(status);
  });

  it("keeps the store's not-found wording", () => {
    expect(toHttpFailure(new ModelNotFoundError('llama3')).message).toBe(
      "model 'llama3' not found"
    );
  });

  it('tells a refused client when to retry', () => {
    expect(toHttpFailure(new BusyError('server busy', 2))).toEqual({
      status: 503,
      message: 'server busy',
      headers: { 'Retry-After': '2' }
    });
    expect(toHttpFailure(new RateLimitedError('slow down', 17))).toEqual({
      status: 429,
      message: 'slow down',
      headers: { 'Retry-After': '17' }
    });
  });

  it("answers the protocol package's parse errors with a 400 and their own message", () => {
    const name = thrown(() => parseModelName('a/b/c/d/e'));
    const parameter = thrown(() => normalizeParameters({ num_ctx: 'lots' }));
    const modelfile = thrown(() => parseModelfile('NONSENSE here'));
    expect(name).toBeInstanceOf(ModelNameError);
    expect(parameter).toBeInstanceOf(ParameterError);
    expect(modelfile).toBeInstanceOf(ModelfileError);
    for (const error of [name, parameter, modelfile])
      expect(toHttpFailure(error)).toEqual({
        status: 400,
        message: (error as Error).message,
        headers: {}
      });
  });

  it("passes the HTTP layer's own errors through with their headers", () => {
    const error = new HttpError(413, 'too big', { 'X-Limit': '10' });
    expect(toHttpFailure(error)).toEqual({
      status: 413,
      message: 'too big',
      headers: { 'X-Limit': '10' }
    });
  });

  it("names the field of a zod error, and translates Fastify's codes", () => {
    const zod = z.object({ model: z.string() }).safeParse({ model: 1 }).error;
    const failure = toHttpFailure(zod);
    expect(failure.status).toBe(400);
    expect(failure.message).toMatch(/^model: /);
    const fastify = (code: string, statusCode: number) =>
      Object.assign(new Error(`${code} internals`), { code, statusCode });
    expect(toHttpFailure(fastify('FST_ERR_CTP_BODY_TOO_LARGE', 413))).toEqual({
      status: 413,
      message: 'request body is too large',
      headers: {}
    });
    expect(toHttpFailure(fastify('FST_ERR_CTP_INVALID_JSON_BODY', 400)).message).toBe(
      'invalid JSON in request body'
    );
    expect(toHttpFailure(fastify('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).status).toBe(415);
    expect(toHttpFailure(new URIError('URI malformed'))).toEqual({
      status: 400,
      message: MALFORMED_URL,
      headers: {}
    });
  });

  it('keeps a status another library chose', () => {
    const error = Object.assign(new Error('not acceptable'), { statusCode: 406 });
    expect(toHttpFailure(error)).toEqual({ status: 406, message: 'not acceptable', headers: {} });
  });

  it('answers an unforeseen error with a 500 that says so', () => {
    expect(toHttpFailure(new TypeError('x is undefined'))).toEqual({
      status: 500,
      message: 'internal server error: x is undefined',
      headers: {}
    });
    expect(toHttpFailure('a string')).toEqual({
      status: 500,
      message: 'internal server error: a string',
      headers: {}
    });
    // A `kind` alone (TemplateError has one) does not make an error a domain error.
    const lookalike = Object.assign(new Error('oops'), { kind: 'not-found' });
    expect(httpStatusOf(lookalike)).toBe(500);
  });
});

describe('the error handler renders the mapping for every API family', () => {
  let app: FastifyInstance;
  const errors: Record<string, () => Error> = {
    invalid: () => new InvalidInputError('bad input'),
    unauthorized: () => new UnauthorizedError('sign in first'),
    forbidden: () => new ForbiddenError("access to model 'x' denied"),
    missing: () => new ModelNotFoundError('x'),
    conflict: () =>
      new ConflictError("user 'x' already exists", {
        code: 'username_taken',
        params: { username: 'x' }
      }),
    limited: () => new RateLimitedError('rate limit exceeded', 9),
    upstream: () => new UpstreamError('pull model manifest: registry answered 500'),
    busy: () => new BusyError('server busy', 2),
    crash: () => new TypeError('x is undefined'),
    huge: () => new NotFoundError(`model ${'\u0000'.repeat(10_000)} not found`)
  };

  beforeAll(async () => {
    app = Fastify();
    await configureHttp(app, { host: '127.0.0.1', origins: [], appDir: '/nonexistent' });
    for (const [name, make] of Object.entries(errors)) {
      const fail = async () => {
        throw make();
      };
      app.get(`/api/${name}`, fail);
      app.get(`/v1/${name}`, fail);
      app.get(`/v2/library/m/manifests/${name}`, fail);
    }
  });
  afterAll(() => app.close());

  const get = (url: string) => app.inject({ url });

  it.each([
    ['invalid', 400, 'invalid_request_error', 'UNSUPPORTED'],
    ['unauthorized', 401, 'authentication_error', 'UNAUTHORIZED'],
    ['forbidden', 403, 'permission_error', 'DENIED'],
    ['missing', 404, 'not_found_error', 'MANIFEST_UNKNOWN'],
    ['conflict', 409, 'invalid_request_error', 'UNSUPPORTED'],
    ['limited', 429, 'rate_limit_error', 'TOOMANYREQUESTS'],
    ['upstream', 502, 'api_error', 'UNKNOWN'],
    ['busy', 503, 'api_error', 'UNKNOWN']
  ])('%s → %i in the Ollama, OpenAI and registry shapes', async (name, status, type, code) => {
    const { message, detail } = errors[name]() as Error & { detail?: ErrorDetail };
    const ollama = await get(`/api/${name}`);
    expect(ollama.statusCode).toBe(status);
    expect(ollama.json()).toEqual({ error: message, ...detail });
    const openai = await get(`/v1/${name}`);
    expect(openai.statusCode).toBe(status);
    expect(openai.json()).toEqual({
      error: { message, type, param: null, code: detail?.code ?? null }
    });
    const registry = await get(`/v2/library/m/manifests/${name}`);
    expect(registry.statusCode).toBe(status);
    expect(registry.json()).toEqual({ errors: [{ code, message }] });
  });

  it('gives a refusal a person reads its code and values beside the message, for the app to translate', async () => {
    expect((await get('/api/conflict')).json()).toEqual({
      error: "user 'x' already exists",
      code: 'username_taken',
      params: { username: 'x' }
    });
    expect((await get('/api/missing')).json()).toEqual({
      error: "model 'x' not found",
      code: 'model_not_found',
      params: { model: 'x' }
    });
    expect((await get('/v1/conflict')).json().error.code).toBe('username_taken');
    // Uncoded refusals stay exactly Ollama's shape.
    expect((await get('/api/invalid')).json()).toEqual({ error: 'bad input' });
  });

  it('sends Retry-After with a busy or rate-limited answer in every family', async () => {
    for (const prefix of ['/api/', '/v1/', '/v2/library/m/manifests/']) {
      expect((await get(`${prefix}busy`)).headers['retry-after']).toBe('2');
      expect((await get(`${prefix}limited`)).headers['retry-after']).toBe('9');
      expect((await get(`${prefix}invalid`)).headers['retry-after']).toBeUndefined();
    }
  });

  it('answers an unforeseen error with a 500', async () => {
    const res = await get('/api/crash');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal server error: x is undefined' });
    expect((await get('/v1/crash')).json().error.type).toBe('api_error');
  });

  it('caps a mapped message in every family', async () => {
    for (const url of ['/api/huge', '/v1/huge', '/v2/library/m/manifests/huge']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.rawPayload.length, url).toBeLessThan(MAX_ERROR_MESSAGE + 120);
      expect(res.payload, url).toMatch(/…\[\d+ more chars\]/);
    }
  });
});
