/**
 * Server configuration from the environment, with Ollama's variable names and meanings
 * so an existing Ollama deployment's settings carry over. HEARTH_* wins over OLLAMA_*.
 */
import os from 'node:os';
import path from 'node:path';
import { parseKeepAlive } from '#protocol/ollama/duration';

export interface ServerConfig {
  host: string;
  port: number;
  modelsDir: string;
  /** Default keep_alive in ms (Infinity = forever). */
  keepAliveMs: number;
  numParallel: number;
  maxLoadedModels: number;
  maxQueue: number;
  /** Extra CORS origins; localhost ones are always allowed, as in Ollama. */
  origins: string[];
  /** Default context length when a request gives no num_ctx (0 = model's own, capped). */
  contextLength: number;
  /** CPU threads per inference; see defaultThreads() for why this default. */
  threads: number;
  /** Where the built web app lives (served at /). */
  appDir: string;
  version: string;
  /** Where Hearth keeps its own state (hearth.db: accounts, keys, permissions, audit). */
  dataDir: string;
  /** HEARTH_AUTH: "on"/"off" force sign-in on or off; "auto" decides by the bind address. */
  auth: 'on' | 'off' | 'auto';
  /** Default requests per minute per API key (HEARTH_RATE_LIMIT; 0 = unlimited). */
  rateLimitPerMin: number;
  /** API key sent when pulling from another Hearth server that has sign-in on. */
  registryKey?: string;
  /** Fixed first-run setup token (HEARTH_SETUP_TOKEN); otherwise one is made per start when needed. */
  setupToken?: string;
  /**
   * HEARTH_RUNNER: where models run. "llama-server": llama.cpp's own server, one process
   * per model; "in-process": node-llama-cpp; "auto" (default): llama-server when a binary
   * is there (HEARTH_LLAMA_SERVER or the one `hearth runner build` installs).
   */
  runner: 'auto' | 'llama-server' | 'in-process';
  /** HEARTH_LLAMA_SERVER: a llama-server binary to run models with. */
  llamaServer?: string;
}

type Env = Record<string, string | undefined>;

function pick(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function parsePort(text: string, original: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`invalid port in "${original}"`);
  return port;
}

/**
 * Parses OLLAMA_HOST-style addresses: "0.0.0.0", ":8080", "host:port", "http://host:port",
 * "[::1]:port". A bare IPv6 address ("::1") has no port.
 */
export function parseHost(value: string | undefined): { host: string; port: number } {
  const fallback = { host: '127.0.0.1', port: 11434 };
  if (!value) return fallback;
  const text = value.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const bracket = text.match(/^\[(.+)\](?::(.*))?$/);
  if (bracket) {
    return { host: bracket[1], port: bracket[2] ? parsePort(bracket[2], value) : fallback.port };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.indexOf(':') !== colon)
    return { host: text || fallback.host, port: fallback.port };
  const portText = text.slice(colon + 1);
  return {
    host: text.slice(0, colon) || fallback.host,
    port: portText === '' ? fallback.port : parsePort(portText, value)
  };
}

/**
 * Measured on 2-core machines: one thread decodes faster than two with node-llama-cpp
 * (the second thread contends with the event loop and the OS). Above 4 cores, leave one
 * core for the server itself.
 */
export function defaultThreads(cores = os.availableParallelism?.() ?? os.cpus().length): number {
  if (cores <= 2) return 1;
  if (cores <= 4) return cores - 1;
  return Math.min(cores - 1, 16);
}

function parseRunner(value: string | undefined): ServerConfig['runner'] {
  if (value === undefined) return 'auto';
  const text = value.toLowerCase();
  if (text === 'auto' || text === 'llama-server' || text === 'in-process') return text;
  throw new Error(`HEARTH_RUNNER must be "auto", "llama-server" or "in-process", got "${value}"`);
}

function parseAuthSetting(value: string | undefined): ServerConfig['auth'] {
  if (value === undefined) return 'auto';
  const text = value.toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(text)) return 'on';
  if (['off', 'false', '0', 'no'].includes(text)) return 'off';
  if (text === 'auto') return 'auto';
  throw new Error(`HEARTH_AUTH must be "on", "off" or "auto", got "${value}"`);
}

export function loadConfig(env: Env = process.env): ServerConfig {
  const { host, port } = parseHost(pick(env, 'HEARTH_HOST', 'OLLAMA_HOST'));
  const modelsDir = path.resolve(
    pick(env, 'HEARTH_MODELS', 'OLLAMA_MODELS') ?? path.join(os.homedir(), '.hearth', 'models')
  );
  return {
    host,
    port,
    modelsDir,
    keepAliveMs: parseKeepAlive(pick(env, 'OLLAMA_KEEP_ALIVE'), 5 * 60_000),
    numParallel: Math.max(1, integer(pick(env, 'OLLAMA_NUM_PARALLEL'), 1, 'OLLAMA_NUM_PARALLEL')),
    maxLoadedModels: Math.max(
      1,
      integer(pick(env, 'OLLAMA_MAX_LOADED_MODELS'), 3, 'OLLAMA_MAX_LOADED_MODELS')
    ),
    maxQueue: integer(pick(env, 'OLLAMA_MAX_QUEUE'), 512, 'OLLAMA_MAX_QUEUE'),
    origins: (pick(env, 'OLLAMA_ORIGINS') ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    contextLength: integer(pick(env, 'OLLAMA_CONTEXT_LENGTH'), 4096, 'OLLAMA_CONTEXT_LENGTH'),
    threads:
      integer(pick(env, 'HEARTH_THREADS', 'OLLAMA_NUM_THREAD'), 0, 'HEARTH_THREADS') ||
      defaultThreads(),
    appDir: path.resolve(
      pick(env, 'HEARTH_APP_DIR') ?? path.join(import.meta.dirname, '..', 'build')
    ),
    version: pick(env, 'HEARTH_VERSION') ?? '0.1.0',
    // A sibling of the models dir (~/.hearth/models → ~/.hearth/data), so one folder
    // holds everything a Hearth server owns.
    dataDir: path.resolve(pick(env, 'HEARTH_DATA') ?? path.join(path.dirname(modelsDir), 'data')),
    auth: parseAuthSetting(pick(env, 'HEARTH_AUTH')),
    rateLimitPerMin: integer(pick(env, 'HEARTH_RATE_LIMIT'), 0, 'HEARTH_RATE_LIMIT'),
    registryKey: pick(env, 'HEARTH_REGISTRY_KEY'),
    setupToken: pick(env, 'HEARTH_SETUP_TOKEN'),
    runner: parseRunner(pick(env, 'HEARTH_RUNNER')),
    llamaServer: pick(env, 'HEARTH_LLAMA_SERVER')
  };
}
