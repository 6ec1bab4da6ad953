/**
 * What every API family module receives: configuration plus the two services they
 * share. The model store (server/store) resolves names to GGUF files and metadata; the
 * scheduler (server/runtime) owns loaded models, slots and the queue.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from './config';
import type { ModelStore } from './store/model-store';
import type { Scheduler } from './runtime/scheduler';
import type { AccessControl } from './auth/access';
import type { Auth } from './auth/service';
import type { RunnerChoice } from './runtime/runner-choice';

export interface ServerContext {
  config: ServerConfig;
  store: ModelStore;
  scheduler: Scheduler;
  log: FastifyBaseLogger;
  /** Which models a request may use or download; absent = everyone may do everything. */
  access?: AccessControl;
  /** Accounts, sessions and keys (server/auth); absent in route tests built without it. */
  auth?: Auth;
  /** Where models run (server/runtime/runner-choice); absent in route tests. */
  runner?: RunnerChoice;
}
