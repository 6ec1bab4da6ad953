/**
 * GET /metrics in Prometheus text format. Open while sign-in is off; with sign-in on,
 * a scraper presents HEARTH_METRICS_TOKEN as a bearer token, or an admin is signed in.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { sendError } from '../http/errors';
import { authEnabled, bearerToken, isAdmin, secretsMatch, userOf } from './access';
import type { Monitor } from './monitor';

export function registerMetricsRoute(
  app: FastifyInstance,
  ctx: ServerContext,
  monitor: Monitor,
  metricsToken: string | undefined
): void {
  app.get('/metrics', async (request, reply) => {
    if (authEnabled(ctx) && !isAdmin(request)) {
      const token = bearerToken(request);
      const tokenOk = token !== undefined && !!metricsToken && secretsMatch(token, metricsToken);
      if (!tokenOk) {
        if (userOf(request))
          return sendError(request, reply, 403, 'admin role or metrics token required');
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        return sendError(request, reply, 401, 'metrics token required');
      }
    }
    const { registry } = monitor.metrics;
    const text = await registry.metrics();
    return reply.header('cache-control', 'no-store').type(registry.contentType).send(text);
  });
}
