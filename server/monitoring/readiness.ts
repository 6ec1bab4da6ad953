/**
 * GET /api/ready: whether this server can serve models, for load balancers and
 * orchestrators. 503 when the model store cannot be read (disk gone, permissions);
 * 200 otherwise, naming the models resident and the ones whose last load failed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import type { FailedLoad, Monitor } from './monitor';

export interface ReadyResponse {
  status: 'ready';
  models: { loaded: string[]; failed: FailedLoad[] };
}

export interface NotReadyResponse {
  status: 'unavailable';
  error: string;
}

async function storeProblem(root: string): Promise<string | undefined> {
  for (const dir of ['manifests', 'blobs']) {
    try {
      await fs.readdir(path.join(root, dir));
    } catch (error) {
      return `model store is unreadable: ${(error as Error).message}`;
    }
  }
  return undefined;
}

export function registerReadiness(app: FastifyInstance, ctx: ServerContext, monitor: Monitor) {
  app.get('/api/ready', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const problem = await storeProblem(ctx.store.root);
    if (problem) {
      const body: NotReadyResponse = { status: 'unavailable', error: problem };
      return reply.code(503).send(body);
    }
    const body: ReadyResponse = {
      status: 'ready',
      models: {
        loaded: ctx.scheduler.ps().map((m) => m.name),
        failed: monitor.failedLoads()
      }
    };
    return body;
  });
}
