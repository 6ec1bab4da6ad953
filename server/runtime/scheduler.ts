/**
 * Contract for the scheduler (implementation beside this file): it owns loaded models,
 * their parallel slots, the bounded queue and keep_alive expiry.
 */
import type { ProcessModel } from '../../src/lib/ollama/types';

export interface Scheduler {
  ps(): ProcessModel[];
  /** Unloads every model and stops timers (server shutdown, tests). */
  close(): Promise<void>;
}
