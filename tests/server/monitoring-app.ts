/**
 * A real Hearth app (server/app.ts) for the monitoring, status and portal tests, with a
 * log capture and a stand-in for the caller's identity, listening on a free loopback port
 * with a temporary model directory.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { ServerContext } from '../../server/context';
import type { PortalOptions } from '../../server/api/portal';
import type { StatusRoutes } from '../../server/api/status';
import { createLogger, type MonitoringOptions } from '../../server/monitoring';
import { listenOnLoopback } from './fixtures';

export interface MonitoredServer {
  url: string;
  app: FastifyInstance;
  ctx: ServerContext;
  status: StatusRoutes;
  modelsDir: string;
  close(): Promise<void>;
}

export interface MonitoredServerOptions {
  env?: Record<string, string>;
  monitoring?: MonitoringOptions;
  portal?: PortalOptions;
  /** Logs go here, configured by createLogger (as `hearth serve` does); none otherwise. */
  logStream?: Writable;
  /** Runs before routes: the tests' stand-in for the auth layer's hooks. */
  beforeRoutes?(app: FastifyInstance, ctx: ServerContext): void;
}

export async function startMonitoredServer(
  options: MonitoredServerOptions = {}
): Promise<MonitoredServer> {
  const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-monitoring-'));
  const config = loadConfig({ HEARTH_MODELS: modelsDir, HEARTH_THREADS: '1', ...options.env });
  const { app, ctx, status } = await buildApp(config, {
    logger: options.logStream
      ? { ...createLogger(config, { ...options.env }), stream: options.logStream }
      : false,
    accessLog: true,
    monitoring: options.monitoring ?? {},
    portal: options.portal ?? {},
    configure: options.beforeRoutes
  });

  const { url } = await listenOnLoopback(app);
  return {
    url,
    app,
    ctx,
    status,
    modelsDir,
    async close() {
      await app.close();
      await fs.rm(modelsDir, { recursive: true, force: true });
    }
  };
}

/**
 * Stand-in for the auth layer's hook, which sets request.user once a request signs in:
 * here the user comes from a test header instead.
 */
export function userFromHeader(
  app: FastifyInstance,
  header: string,
  toUser: (value: string) => { id: string; role: string }
): void {
  app.addHook('onRequest', async (request) => {
    const value = request.headers[header];
    if (typeof value === 'string' && value !== '')
      (request as FastifyRequest & { user?: object }).user = toUser(value);
  });
}

/** A writable that keeps every log line, for asserting what reached the log. */
export function logCapture(): {
  stream: Writable;
  lines(): Record<string, unknown>[];
  text(): string;
} {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    }
  });
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
  };
}

/** The value of one sample in Prometheus text output; 0 when the series is absent. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}) {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      found[key] = value;
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      return Number(match[3]);
  }
  return 0;
}
