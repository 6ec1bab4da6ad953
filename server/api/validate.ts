/**
 * Validation of the inference routes' JSON bodies (Ollama's and OpenAI's): the body was
 * already read as JSON by server/http/body.ts; here a schema checks it and its first
 * problem becomes the 400 message.
 */
import type { z } from 'zod';
import { badRequest } from '../errors';

/**
 * How many messages one chat request may carry, and images one message (or a generate
 * request) may: far beyond any context window a model here has, yet small enough that a
 * hostile body cannot make the template and tokenizer walk millions of entries.
 */
export const MAX_MESSAGES = 10_000;
export const MAX_IMAGES = 64;
/** Content parts of one OpenAI message (text and images together). */
export const MAX_CONTENT_PARTS = 256;

export const tooManyMessages = `at most ${MAX_MESSAGES} messages per request`;
export const tooManyImages = `at most ${MAX_IMAGES} images per message`;

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    // Ollama's own wording for a missing model, kept verbatim without the prefix.
    throw badRequest(
      issue.message === 'model is required'
        ? issue.message
        : `invalid request: ${where}${issue.message}`
    );
  }
  return result.data;
}
