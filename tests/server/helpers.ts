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

/** A JSON call's status and parsed body (loosely typed: tests read what they assert). */
export interface JsonAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface AdminServer extends TestServer {
  /** The first administrator's id. */
  adminId: number;
  /** The administrator's session cookie and CSRF token, for calls made by hand. */
  headers: Record<string, string>;
  /** Calls the server as the signed-in administrator (session cookie and CSRF token). */
  api(method: string, route: string, body?: unknown): Promise<JsonAnswer>;
}

/**
 * A server with sign-in on and its first administrator signed in, as the admin pages use
 * it. The data folder is temporary and removed on close.
 */
export async function startAdminServer(
  username: string,
  password: string,
  env: Record<string, string> = {}
): Promise<AdminServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-data-'));
  const server = await startServer({ HEARTH_AUTH: 'on', HEARTH_DATA: dataDir, ...env });
  const setup = await fetch(`${server.url}/api/auth/setup`, {
    method: 'POST',
    body: JSON.stringify({ username, password })
  });
  const session = (await setup.json()) as { csrfToken: string; user: { id: number } };
  const headers = {
    cookie: setup.headers.get('set-cookie')!.split(';')[0],
    'x-csrf-token': session.csrfToken
  };
  return {
    ...server,
    adminId: session.user.id,
    headers,
    async api(method, route, body) {
      const res = await fetch(server.url + route, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body)
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  };
}
