/**
 * Validation of the inference routes' JSON bodies (Ollama's and OpenAI's): the body was
 * already read as JSON by server/http/body.ts; here a schema checks it and its first
 * problem becomes the 400 message.
 */
import type { z } from 'zod';
import { badRequest } from '../errors';

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
