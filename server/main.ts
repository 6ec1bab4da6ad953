/**
 * `hearth serve` / `npm start`: reads HEARTH_* / OLLAMA_* from the environment, listens,
 * and shuts down cleanly on SIGINT/SIGTERM. Start-up failures are one readable line and
 * exit code 1, never a stack trace.
 */
import type { RunnerChoice } from './runtime/runner-choice';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { createLogger } from './monitoring';
import { loadConfig, type ServerConfig } from './config';
import { isLoopbackHost } from './http/origins';
import { appIsBuilt } from './http/static-app';
import { authMode, openServerWarning } from './auth/mode';
import { databasePath } from './auth/db';
import type { ServerContext } from './context';

export interface RunningServer {
  app: FastifyInstance;
  ctx: ServerContext;
  runner: RunnerChoice;
  url: string;
  close(): Promise<void>;
}

/** An error that should be shown as one line without a stack trace. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's net error wording, which people who ran Ollama will recognise. */
function describeListenError(error: NodeJS.ErrnoException, config: ServerConfig): string {
  const where = `listen tcp ${formatAddress(config.host, config.port)}`;
  const hint = 'Set HEARTH_HOST to another address, e.g. HEARTH_HOST=127.0.0.1:11435';
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where}: bind: address already in use\n${hint} (is Hearth or Ollama already running?)`;
    case 'EACCES':
      return `${where}: bind: permission denied\n${hint}`;
    case 'EADDRNOTAVAIL':
      return `${where}: bind: cannot assign requested address\n${hint}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: unknown host "${config.host}"\n${hint}`;
    default:
      return `${where}: ${error.message}`;
  }
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const { app, ctx, runner } = await buildApp(config, {
    logger: createLogger(config),
    accessLog: true
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new StartupError(describeListenError(error as NodeJS.ErrnoException, config));
  }
  const address = app.server.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  const url = `http://${formatAddress(config.host, port)}`;
  return { app, ctx, runner, url, close: () => app.close() };
}

function announce(server: RunningServer, config: ServerConfig): void {
  console.log(`Hearth ${config.version} listening on ${server.url}`);
  console.log(`Models: ${config.modelsDir}`);
  console.log(
    server.runner.kind === 'llama-server'
      ? `Runner: llama.cpp's llama-server (${server.runner.binary})`
      : `Runner: node-llama-cpp in this process; ${server.runner.reason}`
  );
  if (!appIsBuilt(config.appDir)) {
    console.log('Web app not built (run `npm run build`); the API works without it.');
  }
  const warning = openServerWarning(config);
  if (warning) console.warn(warning);
  if (authMode(config) === 'on') {
    console.log(`Sign-in: on (accounts in ${databasePath(config.dataDir)})`);
    const { ctx } = server;
    void ctx.auth?.store().then((store) => {
      if (store.users.adminExists()) return;
      const token = ctx.auth?.setupToken;
      console.log(
        `No administrator yet: open ${server.url}/setup to create one` +
          (token ? ` with setup token ${token}` : '') +
          ', or run `hearth admin create NAME`.'
      );
    });
  } else if (isLoopbackHost(config.host)) {
    console.log('Sign-in: off (loopback only; set HEARTH_AUTH=on to require it)');
  }
}

/** Closes the server on the first signal; a second signal, or a stuck close, forces exit. */
function closeOnSignals(server: RunningServer): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    closing = true;
    console.log(`\n${signal} received, shutting down…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`Error: shutdown failed: ${error.message}`);
        process.exit(1);
      }
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Entry used by `hearth serve`, `npm start` and `node --import tsx server/main.ts`. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  try {
    const config = loadConfig(env);
    const server = await startServer(config);
    announce(server, config);
    closeOnSignals(server);
    return server;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`Error: ${message}`);
    if (!(error instanceof StartupError) && process.env.HEARTH_DEBUG && error instanceof Error) {
      console.error(error.stack);
    }
    // Exit now: a half-started runtime (native threads, timers) must not keep us alive.
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
