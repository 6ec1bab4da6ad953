/**
 * A Fastify app with only the model-management and registry routes, backed by a real
 * disk store in a temporary directory, with the app's body parsing and Ollama's error
 * shape. It leaves out the runtime, so these tests never load node-llama-cpp.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { registerModelRoutes } from '../../server/api/models';
import { registerRegistryRoutes } from '../../server/api/registry';
import type { ServerContext } from '../../server/context';
import { registerBodyParsers } from '../../server/http/body';
import { DiskModelStore, type DiskModelStoreOptions } from '../../server/store/disk-store';
import { listenOnLoopback, useOllamaErrors } from './fixtures';

export interface ModelServer {
  url: string;
  /** host:port, for model names that point at this server as a registry. */
  host: string;
  root: string;
  store: DiskModelStore;
  close(): Promise<void>;
}

export async function startModelServer(
  prefix: string,
  storeOptions?: DiskModelStoreOptions
): Promise<ModelServer> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const store = new DiskModelStore(root, storeOptions);
  await store.init();
  const app = Fastify({ logger: false });
  registerBodyParsers(app);
  useOllamaErrors(app);
  const ctx = { store } satisfies Pick<ServerContext, 'store'>;
  registerModelRoutes(app, ctx);
  registerRegistryRoutes(app, ctx);
  const { url, host } = await listenOnLoopback(app);
  return {
    url,
    host,
    root,
    store,
    async close() {
      await app.close();
      await fs.rm(root, { recursive: true, force: true });
    }
  };
}
