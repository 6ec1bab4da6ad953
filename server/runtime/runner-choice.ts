/**
 * Which runner serves models (HEARTH_RUNNER, see config): llama.cpp's own server when a
 * binary is there, else node-llama-cpp in this process. Decided once, at start, and
 * logged; an explicit choice that cannot be honoured stops the start with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config';
import { llamaRunnerLoader } from './llama-runner';
import { llamaServerRunnerLoader } from './llama-server-runner';
import type { RunnerLoader } from './runner';

export type RunnerChoice =
  { kind: 'llama-server'; binary: string } | { kind: 'in-process'; reason: string };

/** Where `hearth runner build` installs llama-server for this server's data folder. */
export function installedLlamaServer(dataDir: string): string {
  return path.join(dataDir, 'runner', 'llama-server');
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function chooseRunner(config: ServerConfig): RunnerChoice {
  if (config.runner === 'in-process') return { kind: 'in-process', reason: 'HEARTH_RUNNER' };
  const binary = config.llamaServer ?? installedLlamaServer(config.dataDir);
  if (executable(binary)) return { kind: 'llama-server', binary };
  // A path the operator gave must work; the default one is only looked for.
  if (config.llamaServer || config.runner === 'llama-server')
    throw new Error(
      `no executable llama-server at ${binary}: build one with \`hearth runner build\`, ` +
        'or set HEARTH_LLAMA_SERVER to a llama.cpp build of llama-server'
    );
  return { kind: 'in-process', reason: 'no llama-server built (`hearth runner build`)' };
}

export function runnerLoader(
  choice: RunnerChoice,
  config: ServerConfig,
  log: FastifyBaseLogger
): RunnerLoader {
  return choice.kind === 'llama-server'
    ? llamaServerRunnerLoader(choice.binary, config, log)
    : llamaRunnerLoader(config, log);
}
