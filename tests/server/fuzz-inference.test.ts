/**
 * Property-based fuzzing of the inference and listing routes (Ollama's and OpenAI's)
 * on the real stories260K model, sign-in off. See tests/server/fuzz/runner.ts for the
 * invariants and for the environment knobs (HEARTH_FUZZ_RUNS, HEARTH_FUZZ_SEED, …).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFuzzServer, type FuzzServer } from './fuzz/app';
import { inferenceRoutes } from './fuzz/routes-inference';
import { fuzzRoute, testTimeoutFor } from './fuzz/runner';

describe('fuzz: inference routes', () => {
  let server: FuzzServer;
  beforeAll(async () => {
    server = await startFuzzServer({ auth: false });
  });
  afterAll(async () => server?.close());

  for (const route of inferenceRoutes()) {
    it(route.name, () => fuzzRoute(server, route), testTimeoutFor(route));
  }
});
