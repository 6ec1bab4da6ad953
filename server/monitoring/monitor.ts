/**
 * One monitor per server: the metrics registry, the recent-activity windows behind the
 * status page, and the model loads that failed (for readiness). Routes find it through
 * monitorOf(ctx), so the status and portal modules need no extra wiring arguments.
 */
import type { FailedLoad } from '#protocol/portal/types';
import type { ServerContext } from '../context';
import type { SchedulerStats } from '../runtime/scheduler';
import { HearthMetrics, type GenerationSample } from './metrics';
import { RecentCounter, RecentTokenRates } from './recent';

export type { FailedLoad };

const REQUEST_WINDOW_MS = 60_000;
const TOKEN_WINDOW_MS = 5 * 60_000;

export class Monitor {
  readonly startedAt = Date.now();
  readonly metrics: HearthMetrics;
  private readonly recentRequests = new RecentCounter(REQUEST_WINDOW_MS);
  private readonly tokenRates = new RecentTokenRates(TOKEN_WINDOW_MS);
  private readonly failures = new Map<string, FailedLoad>();

  constructor(stats: () => SchedulerStats) {
    this.metrics = new HearthMetrics(stats, () => this.tokenRates.rates());
  }

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.metrics.request(method, route, status, seconds);
    // The admin's "requests per minute" means API traffic, not the app's own files.
    if (/^\/(api|v1|v2)\//.test(route)) this.recentRequests.add();
  }

  recordGeneration(sample: GenerationSample): void {
    this.metrics.generation(sample);
    this.tokenRates.add(sample.model, sample.evalTokens, sample.evalDurationNs);
    this.failures.delete(sample.model);
  }

  recordLoadFailure(model: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.failures.set(model, { name: model, error: message, at: new Date().toISOString() });
    this.metrics.loadFailed(model);
  }

  /** A later successful load clears the model's failure. */
  recordLoadSuccess(model: string): void {
    this.failures.delete(model);
  }

  failedLoads(): FailedLoad[] {
    return [...this.failures.values()];
  }

  requestsPerMinute(): number {
    return this.recentRequests.total();
  }

  tokensPerSecond(): Record<string, number> {
    return this.tokenRates.rates();
  }

  uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}

const monitors = new WeakMap<object, Monitor>();

export function attachMonitor(ctx: ServerContext, monitor: Monitor): void {
  monitors.set(ctx, monitor);
}

export function monitorOf(ctx: ServerContext): Monitor {
  const monitor = monitors.get(ctx);
  if (!monitor) throw new Error('registerMonitoring(app, ctx) must run before this route module');
  return monitor;
}
