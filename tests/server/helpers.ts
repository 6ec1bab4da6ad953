/**
 * Starts a real Hearth server in-process on a free loopback port with a temporary model
 * directory. Tests talk to it over HTTP like any client.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';

import { listenOnLoopback } from './fixtures';

export { SHARED_MODELS, STORIES, STORIES_SHA256 } from './fixtures';

export interface TestServer {
  url: string;
  modelsDir: string;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-models-'));
  const config = loadConfig({ HEARTH_MODELS: modelsDir, HEARTH_THREADS: '1', ...env });
  const { app } = await buildApp(config);
  const { url } = await listenOnLoopback(app);
  return {
    url,
    modelsDir,
    async close() {
      await app.close();
      await fs.rm(modelsDir, { recursive: true, force: true });
    }
  };
}
