/**
 * The admin status page's data: GET /api/status answers one snapshot, and
 * GET /api/status/stream pushes a snapshot every 2 s as server-sent events (`data:` lines,
 * so a plain EventSource's onmessage receives them). Admin-only when sign-in is on.
 */
import os from 'node:os';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import type { StatusSnapshot } from '#protocol/portal/types';
import { allowAdmin } from '../monitoring/access';
import { monitorOf, type Monitor } from '../monitoring/monitor';
import { runnersResidentBytes } from '../runtime/llama-server-process';

export interface StatusRouteOptions {
  /** Milliseconds between streamed snapshots. */
  intervalMs?: number;
}

export interface StatusRoutes {
  /** Streams currently open (each holds one timer), for shutdown and leak checks. */
  openStreams(): number;
}

/** A client that stops reading must not make us buffer without bound. */
const MAX_BUFFERED_BYTES = 256 * 1024;

export function statusSnapshot(ctx: ServerContext, monitor: Monitor): StatusSnapshot {
  return {
    time: new Date().toISOString(),
    uptime_s: monitor.uptimeSeconds(),
    version: ctx.config.version,
    scheduler: ctx.scheduler.stats(),
    loaded: ctx.scheduler.ps(),
    failed_loads: monitor.failedLoads(),
    memory: { ...process.memoryUsage() },
    tokens_per_second: monitor.tokensPerSecond(),
    requests_per_minute: monitor.requestsPerMinute(),
    load_average: os.loadavg(),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    runner: ctx.runner && {
      kind: ctx.runner.kind,
      resident_bytes: ctx.runner.kind === 'llama-server' ? runnersResidentBytes() : 0
    }
  };
}

export function registerStatusRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: StatusRouteOptions = {}
): StatusRoutes {
  const monitor = monitorOf(ctx);
  const intervalMs = options.intervalMs ?? 2000;
  const streams = new Set<PassThrough>();

  app.get('/api/status', async (request, reply) => {
    if (!allowAdmin(ctx, request, reply)) return reply;
    return reply.header('cache-control', 'no-store').send(statusSnapshot(ctx, monitor));
  });

  app.get('/api/status/stream', async (request, reply) => {
    if (!allowAdmin(ctx, request, reply)) return reply;
    reply
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no')
      .type('text/event-stream; charset=utf-8');
    // HEAD gets the headers only: a stream nobody reads would keep its timer until shutdown.
    if (request.method === 'HEAD') return reply.send();
    const stream = new PassThrough();
    const push = () => {
      if (stream.destroyed || stream.writableEnded) return;
      if (stream.writableLength > MAX_BUFFERED_BYTES) return;
      stream.write(`data: ${JSON.stringify(statusSnapshot(ctx, monitor))}\n\n`);
    };
    const timer = setInterval(push, intervalMs);
    streams.add(stream);
    // Fastify destroys the stream when the client goes away; either way the timer stops.
    stream.once('close', () => {
      clearInterval(timer);
      streams.delete(stream);
    });
    stream.write(`retry: ${Math.max(intervalMs, 1000)}\n\n`);
    push();
    return reply.send(stream);
  });

  // Open streams never end on their own; end them so app.close() does not wait forever.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  return { openStreams: () => streams.size };
}
