/**
 * Request body parsing. Ollama reads JSON whatever the Content-Type says, and the
 * canonical `curl http://localhost:11434/api/generate -d '{...}'` sends
 * application/x-www-form-urlencoded, so every body is parsed as JSON here. The blob
 * upload route (server/api/models.ts) replaces this parser in its own scope to keep raw
 * bytes for hashing; its size is bounded by the digest it must match, not by a limit here.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors';

/** Account, admin and model-management bodies are a few KiB; 1 MiB is generous. */
export const JSON_BODY_LIMIT = 1024 * 1024;
/** Prompts with inline base64 images (several photos) and long documents. */
export const INFERENCE_BODY_LIMIT = 64 * 1024 * 1024;
/** A Modelfile's template, license texts and example messages. */
export const CREATE_BODY_LIMIT = 8 * 1024 * 1024;

const ROUTE_BODY_LIMITS: Record<string, number> = {
  '/api/generate': INFERENCE_BODY_LIMIT,
  '/api/chat': INFERENCE_BODY_LIMIT,
  '/api/embed': INFERENCE_BODY_LIMIT,
  '/api/embeddings': INFERENCE_BODY_LIMIT,
  '/v1/chat/completions': INFERENCE_BODY_LIMIT,
  '/v1/completions': INFERENCE_BODY_LIMIT,
  '/v1/embeddings': INFERENCE_BODY_LIMIT,
  '/api/create': CREATE_BODY_LIMIT
};

/**
 * Deeper than any request a real client sends (tool and format schemas included), and
 * shallow enough that recursive code after parsing (the reviver below, zod, grammar
 * building, logging) never runs out of stack.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * True when objects and arrays nest deeper than `max`. One pass with a counter rather
 * than recursion, so the check itself cannot overflow the stack it protects.
 */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i++; // a backslash escapes the next character, quotes included
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > max) return true;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return false;
}

/** Drops keys that could poison prototypes when a handler spreads the body into options. */
function safeReviver(key: string, value: unknown) {
  return key === '__proto__' ? undefined : value;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'missing request body');
  // Checked first: JSON.parse with a reviver recurses and would overflow the stack.
  if (nestingExceeds(text, MAX_JSON_DEPTH))
    throw new HttpError(400, `JSON nesting too deep (more than ${MAX_JSON_DEPTH} levels)`);
  try {
    return JSON.parse(text, safeReviver);
  } catch (error) {
    throw new HttpError(400, `invalid JSON: ${(error as Error).message}`);
  }
}

/** Gives each route its body limit unless the route chose one itself. */
function registerRouteBodyLimits(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= ROUTE_BODY_LIMITS[route.url ?? ''] ?? JSON_BODY_LIMIT;
  });
}

export function registerBodyParsers(app: FastifyInstance): void {
  registerRouteBodyLimits(app);
  app.removeContentTypeParser(['application/json', 'text/plain']);

  // The catch-all sees every body: JSON, text/plain, form-encoded and header-less alike.
  app.addContentTypeParser('*', (req, payload, done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
    const tooLarge = () =>
      new HttpError(413, `request body is too large (limit ${limit} bytes for this route)`);
    // A declared length over the limit is refused before a byte is read.
    if (limit && Number(req.headers['content-length']) > limit) {
      payload.resume();
      done(tooLarge(), undefined);
      return;
    }
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (limit && size > limit) {
        payload.removeAllListeners('data');
        payload.resume();
        done(tooLarge(), undefined);
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
