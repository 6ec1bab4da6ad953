/**
 * The registry read paths (a subset of the Docker/OCI distribution API that Ollama's
 * puller uses), so one Hearth server can pull models from another on an air-gapped LAN.
 * Errors here use the registry's {"errors":[…]} shape, not Ollama's {"error"}.
 */
import fs from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MEDIA_TYPES } from '../../src/lib/ollama/types';
import type { ServerContext } from '../context';
import { asModelManager } from '../store/model-store';
import { createHash } from 'node:crypto';
import { DEFAULT_HOST, displayName } from '../../src/lib/ollama/names';
import { accessOf } from '../auth/access';
import { sendFileRange } from '../http/ranges';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

interface RepoParams {
  namespace: string;
  model: string;
}

function registryError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .type('application/json')
    .send({ errors: [{ code, message }] });
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

  app.get<{ Params: RepoParams & { tag: string } }>(
    '/v2/:namespace/:model/manifests/:tag',
    async (req, reply) => {
      const { namespace, model, tag } = req.params;
      access.assertCanDownload(req, displayName({ host: DEFAULT_HOST, namespace, model, tag }));
      const bytes = await store.registryManifest(namespace, model, tag).catch(() => undefined);
      if (!bytes)
        return registryError(
          reply,
          404,
          'MANIFEST_UNKNOWN',
          `manifest ${namespace}/${model}:${tag} not found`
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
      const { namespace, model, digest } = req.params;
      if (!DIGEST.test(digest))
        return registryError(reply, 400, 'DIGEST_INVALID', `invalid digest "${digest}"`);
      await access.assertCanDownloadBlob(req, store, { namespace, model }, digest);
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
