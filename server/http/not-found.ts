/**
 * Unknown paths: API families answer Go's "404 page not found" in their error shape
 * (what Ollama's router says); a browser navigating to an app route (/models, /settings)
 * gets the SPA shell so client-side routing can take over.
 */
import type { FastifyInstance } from 'fastify';
import { isApiPath, sendError } from './errors';
import { appIsBuilt, sendAppIndex, wantsHtml } from './static-app';

export function registerNotFound(app: FastifyInstance, appDir: string): void {
  app.setNotFoundHandler(async (req, reply) => {
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    if (isRead && !isApiPath(req.url) && wantsHtml(req.headers.accept) && appIsBuilt(appDir)) {
      return sendAppIndex(reply, appDir);
    }
    if (isApiPath(req.url)) return sendError(req, reply, 404, '404 page not found');
    return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found');
  });
}
