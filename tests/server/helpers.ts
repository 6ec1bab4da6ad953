/**
 * Starts a real Hearth server in-process on a free loopback port with a temporary model
 * directory. Tests talk to it over HTTP like any client.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';

export const SHARED_MODELS = path.resolve(import.meta.dirname, '../../../shared/models');
export const STORIES = path.join(SHARED_MODELS, 'stories260K.gguf');
export const STORIES_SHA256 = '7efbb964883be7eb395cea534bf9cf9826781f39a504e9710a00dfc4839579b5';

export interface TestServer {
  url: string;
  modelsDir: string;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-models-'));
  const config = loadConfig({ HEARTH_MODELS: modelsDir, HEARTH_THREADS: '1', ...env });
  const { app } = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server did not bind');
  return {
    url: `http://127.0.0.1:${address.port}`,
    modelsDir,
    async close() {
      await app.close();
      await fs.rm(modelsDir, { recursive: true, force: true });
    }
  };
}
