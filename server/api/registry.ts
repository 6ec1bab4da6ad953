/**
 * The registry read paths (a subset of the Docker/OCI distribution API that Ollama's
 * puller uses), so one Hearth server can pull models from another on an air-gapped LAN.
 * Errors here use the registry's {"errors":[…]} shape, not Ollama's {"error"}.
 */
import fs from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MEDIA_TYPES } from '#protocol/ollama/types';
import {
  ModelNameError,
  displayName,
  modelNameFromParts,
  type ModelName
} from '#protocol/ollama/names';
import type { ServerContext } from '../context';
import { asModelManager } from '../store/model-store';
import { tryParseDigest } from '../store/digest';
import { accessOf } from '../auth/access';
import { sendFileRange } from '../http/ranges';
import { registryError, sendError } from '../http/errors';
import { quoteInput } from '../errors';

interface RepoParams {
  namespace: string;
  model: string;
}

/**
 * The registry code for a /v2 URL whose %-escapes do not decode: it names the part
 * (repository, tag or digest) that is unreadable.
 */
export function badUrlCode(url: string): string {
  const [namespace = '', model = '', kind = '', reference = ''] = url
    .split('?')[0]
    .slice('/v2/'.length)
    .split('/');
  const decodes = (part: string) => {
    try {
      decodeURIComponent(part);
      return true;
    } catch {
      return false;
    }
  };
  if (!decodes(namespace) || !decodes(model)) return 'NAME_INVALID';
  if (!decodes(reference)) return kind === 'blobs' ? 'DIGEST_INVALID' : 'TAG_INVALID';
  return 'NAME_INVALID';
}

/**
 * The URL's parts through the one name grammar; a bad one is answered here (400
 * NAME_INVALID or TAG_INVALID) and undefined returned.
 */
function checkedRepository(
  reply: FastifyReply,
  params: RepoParams & { tag?: string }
): ModelName | undefined {
  const { namespace, model, tag } = params;
  try {
    return modelNameFromParts({ namespace, model, tag });
  } catch (err) {
    if (!(err instanceof ModelNameError)) throw err;
    const code = err.part === 'tag' ? 'TAG_INVALID' : 'NAME_INVALID';
    const given = err.part === 'tag' ? tag : `${namespace}/${model}`;
    void registryError(reply, 400, code, `invalid ${err.part ?? 'name'} ${quoteInput(given)}`);
    return undefined;
  }
}

export function registerRegistryRoutes(
  app: FastifyInstance,
  ctx: Pick<ServerContext, 'store' | 'access'>
): void {
  const store = asModelManager(ctx.store);
  // Weights leave the server here: each download needs the model's can_download grant.
  const access = accessOf(ctx);
  // exposeHeadRoutes gives each GET a HEAD with the same headers and no body.

  app.get('/v2/', async (_req, reply) => {
    return reply.header('docker-distribution-api-version', 'registry/2.0').send({});
  });

  // Every other /v2/ read is a registry 404. Without this route such paths reach the web
  // app's wildcard file route, whose path checks answer an over-long segment (the
  // filesystem's ENAMETOOLONG) with 403 "Forbidden" in no registry shape at all.
  app.get('/v2/*', async (req, reply) => sendError(req, reply, 404, '404 page not found'));

  app.get<{ Params: RepoParams & { tag: string } }>(
    '/v2/:namespace/:model/manifests/:tag',
    async (req, reply) => {
      const name = checkedRepository(reply, req.params);
      if (!name) return reply;
      access.assertCanDownload(req, displayName(name));
      const bytes = await store.registryManifest(name).catch(() => undefined);
      if (!bytes)
        return registryError(
          reply,
          404,
          'MANIFEST_UNKNOWN',
          `manifest ${name.namespace}/${name.model}:${name.tag} not found`
        );
      return reply
        .type(MEDIA_TYPES.manifest)
        .header(
          'docker-content-digest',
          `sha256:${createHash('sha256').update(bytes).digest('hex')}`
        )
        .send(bytes);
    }
  );

  app.get<{ Params: RepoParams & { digest: string } }>(
    '/v2/:namespace/:model/blobs/:digest',
    async (req, reply) => {
      const { namespace, model } = req.params;
      const name = checkedRepository(reply, { namespace, model });
      if (!name) return reply;
      const digest = tryParseDigest(req.params.digest, true);
      if (!digest)
        return registryError(
          reply,
          400,
          'DIGEST_INVALID',
          `invalid digest ${quoteInput(req.params.digest)}`
        );
      await access.assertCanDownloadBlob(req, store, name, digest);
      const file = store.blobPath(digest);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile())
        return registryError(reply, 404, 'BLOB_UNKNOWN', `blob ${digest} not found`);

      reply
        .type('application/octet-stream')
        .header('accept-ranges', 'bytes')
        .header('docker-content-digest', digest);
      return sendFileRange(reply, req.headers.range, file, stat.size);
    }
  );
}
