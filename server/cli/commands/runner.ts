/**
 * `hearth runner build`: builds llama.cpp's llama-server from the source node-llama-cpp
 * ships and installs it where `hearth serve` looks for it (<data>/runner/llama-server), so
 * models run in llama.cpp's own server from the next start on.
 */
import { loadConfig } from '../../config';
import { installLlamaServer, ToolchainMissingError } from '../../runtime/llama-server-build';
import { installedLlamaServer } from '../../runtime/runner-choice';
import { CliError } from '../client';
import type { Write } from './accounts';

export function buildRunner(write: Write, env: Record<string, string | undefined> = process.env) {
  const destination = installedLlamaServer(loadConfig(env).dataDir);
  try {
    installLlamaServer(destination, { log: (line) => write(`${line}\n`) });
  } catch (error) {
    if (error instanceof ToolchainMissingError)
      throw new CliError(`cannot build llama-server: ${error.message}`);
    throw error;
  }
  write(
    `Installed ${destination}.\n` +
      'The next `hearth serve` (or `npm start`) runs models in it; HEARTH_RUNNER=in-process opts out.\n'
  );
}
