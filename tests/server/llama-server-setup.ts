/**
 * Vitest global setup: a llama-server binary for the llama-server runner's tests, built
 * once from node-llama-cpp's llama.cpp source (cached; minutes the first time). Given as
 * HEARTH_LLAMA_SERVER, that one is used. Without git, cmake or a compiler the runner's
 * tests are skipped with a warning, except under CI, where that is a failure.
 */
import type { TestProject } from 'vitest/node';
import { buildLlamaCppTools, ToolchainMissingError } from '../../server/runtime/llama-server-build';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The llama-server binary, or '' when none could be built here. */
    llamaServer: string;
  }
}

export default function setup(project: TestProject): void {
  let binary = process.env.HEARTH_LLAMA_SERVER ?? '';
  if (!binary) {
    try {
      [binary] = buildLlamaCppTools(['llama-server']);
    } catch (error) {
      if (!(error instanceof ToolchainMissingError) || process.env.CI) throw error;
      console.warn(`llama-server runner tests skipped: ${error.message}`);
    }
  }
  project.provide('llamaServer', binary);
}
