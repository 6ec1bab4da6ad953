/**
 * Fastify's `frameworkErrors` option: refusals made before any route runs, above all a
 * path whose %-escapes do not decode, rendered in the same shapes as every other error
 * (the registry's {"errors":[…]} under /v2/) instead of Fastify's own.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { badUrlCode } from '../api/registry';
import { MALFORMED_URL, isRegistryPath, registryError, sendError } from './errors';

export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const badUrl = error.code === 'FST_ERR_BAD_URL';
  const status = badUrl ? 400 : (error.statusCode ?? 400);
  const message = badUrl ? MALFORMED_URL : error.message || 'bad request';
  if (badUrl && isRegistryPath(req.url))
    return registryError(reply, status, badUrlCode(req.url), message);
  return sendError(req, reply, status, message);
}
