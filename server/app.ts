/**
 * Builds the HTTP app: one Fastify instance mounting each API family (server/api/*)
 * and serving the built web app. Kept free of listen() so tests can start it on port 0.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ServerConfig } from './config';
import type { ServerContext } from './context';
import { DiskModelStore } from './store/disk-store';
import { LlamaScheduler } from './runtime/llama-scheduler';
import { registerModelRoutes } from './api/models';
import { registerRegistryRoutes } from './api/registry';
import { registerInferenceRoutes } from './api/inference';
import { registerOpenAIRoutes } from './api/openai';
import { registerBaseRoutes } from './api/base';
import { configureHttp } from './http/configure';

export interface BuildOptions {
  /** Fastify's logger setting; tests keep it off, `hearth serve` logs warnings and errors. */
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(
  config: ServerConfig,
  options: BuildOptions = {}
): Promise<{ app: FastifyInstance; ctx: ServerContext }> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 * 1024 });
  const store = new DiskModelStore(config.modelsDir);
  await store.init();
  const scheduler = new LlamaScheduler(config, store, app.log);
  const ctx: ServerContext = { config, store, scheduler, log: app.log };

  await configureHttp(app, config);
  registerBaseRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerRegistryRoutes(app, ctx);
  registerInferenceRoutes(app, ctx);
  registerOpenAIRoutes(app, ctx);

  app.addHook('onClose', async () => scheduler.close());
  return { app, ctx };
}
