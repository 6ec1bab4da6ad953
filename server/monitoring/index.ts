/**
 * Monitoring for the whole server, mounted with one call: Prometheus metrics at /metrics,
 * one structured log line per request, readiness at /api/ready, and the Monitor that the
 * status feed (api/status.ts) reads. Token counts come from a Scheduler decorator put in
 * ctx.scheduler here, so inference routes need no monitoring code of their own.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { registerAccessLog } from './access-log';
import { InstrumentedScheduler } from './instrumented-scheduler';
import { registerMetricsRoute } from './metrics-route';
import { Monitor, attachMonitor } from './monitor';
import type { MonitoringOptions } from './options';
import { registerReadiness } from './readiness';
import { trackRequestFacts } from './request-facts';

export { AccessLogController, createLogger, serverLogging } from './logger';
export { monitoringOptionsFromEnv, type MonitoringOptions } from './options';
export { monitorOf, type Monitor } from './monitor';

/**
 * Call once, after ctx is built and before the server listens (routes may be registered
 * before or after: they read ctx.scheduler on each request).
 */
export function registerMonitoring(
  app: FastifyInstance,
  ctx: ServerContext,
  options: MonitoringOptions = {}
): Monitor {
  const monitor = new Monitor(() => ctx.scheduler.stats());
  ctx.scheduler = new InstrumentedScheduler(ctx.scheduler, ctx.store, monitor);
  attachMonitor(ctx, monitor);
  trackRequestFacts(app);
  registerAccessLog(app, monitor, { logPrompts: options.logPrompts ?? false });
  registerMetricsRoute(app, ctx, monitor, options.metricsToken);
  registerReadiness(app, ctx, monitor);
  return monitor;
}
