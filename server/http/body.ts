/**
 * Request body parsing. Ollama reads JSON whatever the Content-Type says, and the
 * canonical `curl http://localhost:11434/api/generate -d '{...}'` sends
 * application/x-www-form-urlencoded, so every body is parsed as JSON here. The blob
 * upload route (server/api/models.ts) replaces this parser in its own scope to keep raw
 * bytes for hashing.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors';

/** Drops keys that could poison prototypes when a handler spreads the body into options. */
function safeReviver(key: string, value: unknown) {
  return key === '__proto__' ? undefined : value;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'missing request body');
  try {
    return JSON.parse(text, safeReviver);
  } catch (error) {
    throw new HttpError(400, `invalid JSON: ${(error as Error).message}`);
  }
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);

  // The catch-all sees every body: JSON, text/plain, form-encoded and header-less alike.
  app.addContentTypeParser('*', (req, payload, done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (limit && size > limit) {
        payload.removeAllListeners('data');
        payload.resume();
        done(new HttpError(413, 'request body is too large'), undefined);
        return;
      }
      chunks.push(chunk);
    });
    payload.on('error', (error) => done(error, undefined));
    payload.on('end', () => {
      if (limit && size > limit) return;
      try {
        done(null, parseJsonBody(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  });
}
