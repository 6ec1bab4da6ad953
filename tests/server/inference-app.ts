/**
 * A Fastify app with only the inference routes (Ollama's and OpenAI's) on real
 * stories260K inference; the model store is the stories stand-in from ./fixtures.
 */
import Fastify from 'fastify';
import { inject } from 'vitest';
import { registerInferenceRoutes } from '../../server/api/inference';
import { registerOpenAIRoutes } from '../../server/api/openai';
import { loadConfig } from '../../server/config';
import { registerBodyParsers } from '../../server/http/body';
import { registerErrorHandling } from '../../server/http/errors';
import { ModelScheduler } from '../../server/runtime/model-scheduler';
import type { ModelStore } from '../../server/store/model-store';
import { listenOnLoopback, storiesStore } from './fixtures';

/**
 * The runners inference tests run on: node-llama-cpp in-process, and llama.cpp's
 * llama-server when the global setup could build it (./llama-server-setup).
 */
export function runnersUnderTest(): { runner: string; env: Record<string, string> }[] {
  const llamaServer = inject('llamaServer');
  return [
    { runner: 'node-llama-cpp', env: { HEARTH_RUNNER: 'in-process' } },
    ...(llamaServer ? [{ runner: 'llama-server', env: { HEARTH_LLAMA_SERVER: llamaServer } }] : [])
  ];
}

export interface InferenceApp {
  url: string;
  scheduler: ModelScheduler;
  close(): Promise<void>;
}

export async function startInferenceApp(
  env: Record<string, string> = {},
  store: ModelStore = storiesStore()
): Promise<InferenceApp> {
  const config = loadConfig({ HEARTH_MODELS: '.', HEARTH_THREADS: '1', ...env });
  const app = Fastify({ logger: false });
  const scheduler = new ModelScheduler(config, store, app.log);
  // The app's body parsing: any body is read as JSON, whatever its content type.
  registerBodyParsers(app);
  // The app's own error mapping: Ollama's shape under /api, OpenAI's under /v1.
  registerErrorHandling(app);
  registerInferenceRoutes(app, { config, store, scheduler, log: app.log });
  registerOpenAIRoutes(app, { config, store, scheduler, log: app.log });
  const { url } = await listenOnLoopback(app);
  return {
    url,
    scheduler,
    async close() {
      await app.close();
      await scheduler.close();
    }
  };
}
