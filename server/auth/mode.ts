/**
 * Whether sign-in is required. A loopback-bound server is reachable only from this
 * machine, so it stays open like Ollama unless HEARTH_AUTH=on; any other bind address
 * means other people can reach it, so sign-in is on unless HEARTH_AUTH=off.
 */
import type { ServerConfig } from '../config';
import { isLoopbackHost } from '../http/origins';

export type AuthMode = 'on' | 'off';

export function authMode(config: Pick<ServerConfig, 'auth' | 'host'>): AuthMode {
  if (config.auth !== 'auto') return config.auth;
  return isLoopbackHost(config.host) ? 'off' : 'on';
}

/** The start-up warning for a LAN-reachable server that was told to skip sign-in. */
export function openServerWarning(config: Pick<ServerConfig, 'auth' | 'host'>): string | undefined {
  if (authMode(config) === 'off' && !isLoopbackHost(config.host)) {
    return `Warning: HEARTH_AUTH=off and listening on ${config.host}: anyone who can reach this address can use every model and manage the server, with no sign-in.`;
  }
  return undefined;
}
