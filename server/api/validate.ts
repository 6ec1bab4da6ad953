/**
 * Validation of the inference routes' JSON bodies (Ollama's and OpenAI's): the body was
 * already read as JSON by server/http/body.ts; here a schema checks it and its first
 * problem becomes the 400 message.
 */
import type { z } from 'zod';
import { MODEL_REQUIRED } from '#protocol/ollama/requests';
import { badRequest } from '../errors';

// The limits are part of the contract, declared with the request schemas.
export { MAX_IMAGES, MAX_MESSAGES } from '#protocol/ollama/limits';

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
      issue.message === MODEL_REQUIRED ? issue.message : `invalid request: ${where}${issue.message}`
    );
  }
  return result.data;
}
