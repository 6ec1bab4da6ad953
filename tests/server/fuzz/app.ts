/**
 * The server under fuzz: the whole app (guard, error handling, every route) on a real
 * disk store holding stories260K as "stories:latest", the smallest real model, so
 * inference runs stay cheap. The models folder sits one level down in a temporary
 * folder, so a name that climbs out of it still lands where a snapshot sees it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../../server/app';
import { loadConfig } from '../../../server/config';
import { asModelManager } from '../../../server/store/model-store';
import { STORIES, STORIES_DIGEST, STORIES_SHA256, listenOnLoopback } from '../fixtures';

export const ADMIN = { username: 'fuzz-admin', password: 'a long enough fuzz password' };
export const VICTIM_PASSWORD = 'another long enough password';
const SETUP_TOKEN = 'fuzz-setup-token';

export interface FuzzServer {
  url: string;
  /** Holds `models/` (the models folder) and nothing else. */
  watchRoot: string;
  modelsDir: string;
  authEnabled: boolean;
  /** Admin credentials (auth on only). */
  adminKey?: string;
  adminId?: number;
  session?: { cookie: string; csrf: string };
  close(): Promise<void>;
}

/** Places the blob by hand (the upload route is itself under fuzz) and creates the model. */
async function seedStories(store: unknown, modelsDir: string): Promise<void> {
  const manager = asModelManager(store as Parameters<typeof asModelManager>[0]);
  await fs.mkdir(path.join(modelsDir, 'blobs'), { recursive: true });
  await fs.copyFile(STORIES, path.join(modelsDir, 'blobs', `sha256-${STORIES_SHA256}`));
  await manager.create({ model: 'stories', files: { 'model.gguf': STORIES_DIGEST } });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body)
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} → ${res.status} ${text}`);
  return { res, json: JSON.parse(text) as Record<string, unknown> };
}

/** Signs the admin in again (a fuzzed password change or logout may end the session). */
export async function adminSession(url: string): Promise<{ cookie: string; csrf: string }> {
  const { res, json } = await post(`${url}/api/auth/login`, ADMIN);
  return {
    cookie: res.headers.get('set-cookie')!.split(';')[0],
    csrf: json.csrfToken as string
  };
}

async function setUpAccounts(server: FuzzServer): Promise<void> {
  const setup = await post(`${server.url}/api/auth/setup`, { ...ADMIN, setupToken: SETUP_TOKEN });
  server.adminId = (setup.json.user as { id: number }).id;
  server.session = {
    cookie: setup.res.headers.get('set-cookie')!.split(';')[0],
    csrf: setup.json.csrfToken as string
  };
  const headers = { cookie: server.session.cookie, 'x-csrf-token': server.session.csrf };
  const key = await post(`${server.url}/api/auth/keys`, { name: 'fuzz' }, headers);
  server.adminKey = key.json.key as string;
  // Victims for the admin routes to edit, so the fuzzer's ids hit real rows.
  for (const username of ['victim-one', 'victim-two']) {
    await post(
      `${server.url}/api/admin/users`,
      { username, password: VICTIM_PASSWORD },
      { authorization: `Bearer ${server.adminKey}` }
    );
  }
  await post(
    `${server.url}/api/admin/groups`,
    { name: 'fuzzers', memberIds: [server.adminId] },
    { authorization: `Bearer ${server.adminKey}` }
  );
}

export async function startFuzzServer(options: { auth: boolean }): Promise<FuzzServer> {
  const watchRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-fuzz-'));
  const modelsDir = path.join(watchRoot, 'models');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-fuzz-data-'));
  await fs.mkdir(modelsDir);
  const config = loadConfig({
    HEARTH_MODELS: modelsDir,
    HEARTH_DATA: dataDir,
    HEARTH_THREADS: '1',
    HEARTH_AUTH: options.auth ? 'on' : 'off',
    HEARTH_SETUP_TOKEN: SETUP_TOKEN,
    // Short, so models loaded by fuzzed requests do not pile up between properties.
    OLLAMA_KEEP_ALIVE: '30s',
    // The default num_ctx for bodies without one. Bodies whose limit a mutation dropped
    // run until the server's own cap, 10 × num_ctx: at 32 that is a few seconds of
    // stories260K, well inside the per-request timeout, where the model's own 512 is not.
    OLLAMA_CONTEXT_LENGTH: '32'
  });
  const { app, ctx } = await buildApp(config);
  await seedStories(ctx.store, modelsDir);
  const { url } = await listenOnLoopback(app);
  const server: FuzzServer = {
    url,
    watchRoot,
    modelsDir,
    authEnabled: options.auth,
    async close() {
      await app.close();
      await fs.rm(watchRoot, { recursive: true, force: true });
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  };
  if (options.auth) await setUpAccounts(server);
  return server;
}

/** The credential variants a request may carry: none, broken ones, and the admin's. */
export function credentialHeaders(server: FuzzServer): Record<string, Record<string, string>> {
  if (!server.authEnabled) return { none: {} };
  const session = server.session!;
  return {
    none: {},
    adminKey: { authorization: `Bearer ${server.adminKey}` },
    adminSession: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    sessionWithoutCsrf: { cookie: session.cookie },
    badKey: { authorization: 'Bearer hk_notarealkey0000000000000000' },
    malformed: { authorization: 'Basic Zm9vOmJhcg==' }
  };
}

/** Before each property: a fuzzed logout or password change may have ended the session. */
export async function ensureSession(server: FuzzServer): Promise<void> {
  if (!server.authEnabled || !server.session) return;
  const res = await fetch(`${server.url}/api/auth/session`, {
    headers: { cookie: server.session.cookie }
  });
  const body = (await res.json().catch(() => ({}))) as { user?: unknown };
  if (body.user) return;
  // Sign-in may be throttled after fuzzed logins; then the stale session stays.
  server.session = await adminSession(server.url).catch(() => server.session);
}
