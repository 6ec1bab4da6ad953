/**
 * Liveness and version: `GET /` answers "Ollama is running" exactly as Ollama does, since
 * clients and scripts probe it; a browser asking for HTML gets the web app instead.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import type { VersionResponse } from '#protocol/ollama/types';
import { sendAppIndex, wantsHtml } from '../http/static-app';

export function registerBaseRoutes(app: FastifyInstance, ctx: Pick<ServerContext, 'config'>): void {
  // Fastify answers HEAD for every GET route (exposeHeadRoutes), with the same headers.
  app.get('/', async (req, reply) => {
    if (wantsHtml(req.headers.accept)) return sendAppIndex(reply, ctx.config.appDir);
    return reply.type('text/plain; charset=utf-8').send('Ollama is running');
  });

  app.get('/api/version', async (): Promise<VersionResponse> => ({ version: ctx.config.version }));
}
