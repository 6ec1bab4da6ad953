/**
 * What the server tests share without loading the whole app (route tests that mount
 * only some routes import this, not ./helpers): the real model files, a model store
 * stand-in that maps "stories*" names to stories260K, the Ollama-shaped error handler
 * and listening on a free loopback port.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import { toHttpFailure } from '../../server/http/error-status';
import { ModelNotFoundError, type ModelStore } from '../../server/store/model-store';
import type { ListModel, ModelDetails } from '#protocol/ollama/types';

export const SHARED_MODELS = path.resolve(import.meta.dirname, '../../../shared/models');
export const STORIES = path.join(SHARED_MODELS, 'stories260K.gguf');
export const STORIES_SHA256 = '7efbb964883be7eb395cea534bf9cf9826781f39a504e9710a00dfc4839579b5';
export const STORIES_DIGEST = `sha256:${STORIES_SHA256}`;

export const STORIES_DETAILS: ModelDetails = {
  parent_model: '',
  format: 'gguf',
  family: 'llama',
  families: ['llama'],
  parameter_size: '260K',
  quantization_level: 'F32'
};

/** How the stand-in store lists stories260K. */
export const STORIES_LISTED: ListModel = {
  name: 'stories:latest',
  model: 'stories:latest',
  modified_at: '2026-01-02T03:04:05.000Z',
  size: 1_185_472,
  digest: 'f'.repeat(64),
  details: STORIES_DETAILS
};

/**
 * A model store where every "stories*" name resolves to the shared stories260K file and
 * anything else is not found; `list` answers `listed`.
 */
export function storiesStore(listed: ListModel[] = []): ModelStore {
  return {
    root: '',
    async resolve(name) {
      if (!name.startsWith('stories')) throw new ModelNotFoundError(name);
      return {
        name: name.includes(':') ? name : `${name}:latest`,
        digest: STORIES_LISTED.digest,
        modelPath: STORIES,
        parameters: {},
        messages: [],
        license: [],
        details: STORIES_DETAILS,
        size: STORIES_LISTED.size,
        modifiedAt: new Date(STORIES_LISTED.modified_at)
      };
    },
    async list() {
      return listed;
    },
    async show() {
      throw new Error('not used');
    }
  };
}

/** A logger that drops everything, for runtime classes used without a server. */
export const silentLog = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  trace() {},
  fatal() {},
  child: () => silentLog,
  level: 'silent'
} as unknown as FastifyBaseLogger;

/** Renders failures in Ollama's {"error"} shape, as the full app does under /api. */
export function useOllamaErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const failure = toHttpFailure(error);
    return reply.code(failure.status).headers(failure.headers).send({ error: error.message });
  });
}

/** Listens on a free loopback port; returns the base URL and its host:port. */
export async function listenOnLoopback(
  app: FastifyInstance
): Promise<{ url: string; host: string }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server did not bind');
  const host = `127.0.0.1:${address.port}`;
  return { url: `http://${host}`, host };
}

/** Creates model `name` from a GGUF file through the API, as a client would. */
export async function createModelFrom(
  url: string,
  name: string,
  file = STORIES,
  sha256 = STORIES_SHA256,
  /** An administrator's credentials, where sign-in is on. */
  headers: Record<string, string> = {}
): Promise<void> {
  const digest = `sha256:${sha256}`;
  const upload = await fetch(`${url}/api/blobs/${digest}`, {
    method: 'POST',
    headers,
    body: await fs.readFile(file)
  });
  if (upload.status !== 201 && upload.status !== 200)
    throw new Error(`blob upload failed: ${upload.status} ${await upload.text()}`);
  const created = await fetch(`${url}/api/create`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: name, files: { 'model.gguf': digest }, stream: false })
  });
  if (!created.ok) throw new Error(`create failed: ${created.status} ${await created.text()}`);
}

/** The ollama client types model_info as a Map; on the wire it is a plain object. */
export const modelInfo = (show: { model_info: unknown }) =>
  show.model_info as Record<string, unknown>;

/** Sends `body` as JSON. */
export function postJson(url: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });
}
