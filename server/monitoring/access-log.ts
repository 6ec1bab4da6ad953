/**
 * When a response ends: one structured log line and the HTTP metrics for the request.
 * Only whitelisted fields are copied, so headers, keys, cookies and passwords never
 * reach the log; prompt text is added only when HEARTH_LOG_PROMPTS=1.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userIdOf } from './access';
import type { Monitor } from './monitor';
import { factsOf } from './request-facts';

/** Requests no route matched share one label, so random URLs cannot grow the series. */
export const UNMATCHED_ROUTE = 'unmatched';

export function routeOf(request: FastifyRequest): string {
  return request.routeOptions?.url ?? UNMATCHED_ROUTE;
}

function bodyField(request: FastifyRequest, key: string): unknown {
  const body = request.body;
  return body && typeof body === 'object' && !Buffer.isBuffer(body)
    ? (body as Record<string, unknown>)[key]
    : undefined;
}

function promptFields(request: FastifyRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['prompt', 'messages', 'system']) {
    const value = bodyField(request, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function registerAccessLog(
  app: FastifyInstance,
  monitor: Monitor,
  options: { logPrompts: boolean }
): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    monitor.recordRequest(request.method, route, status, durationMs / 1000);

    const facts = factsOf(request);
    const named = bodyField(request, 'model') ?? bodyField(request, 'name');
    const line: Record<string, unknown> = {
      route,
      method: request.method,
      path: request.url.split('?')[0],
      status,
      duration_ms: Math.round(durationMs * 10) / 10,
      model: facts?.model ?? (typeof named === 'string' ? named : undefined),
      prompt_tokens: facts?.promptTokens,
      eval_tokens: facts?.evalTokens,
      user: userIdOf(request)
    };
    if (options.logPrompts) Object.assign(line, promptFields(request));
    const level = status >= 500 ? 'error' : 'info';
    request.log[level](line, 'request');
  });
}
