/**
 * Property-based fuzzing of model management (show, create, copy, delete, pull, push,
 * blobs), the registry read paths (/v2) and wrong-method requests, sign-in off. The
 * models folder is snapshotted around every request: see tests/server/fuzz/runner.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFuzzServer, type FuzzServer } from './fuzz/app';
import { methodRoutes, modelRoutes } from './fuzz/routes-models';
import { fuzzRoute, testTimeoutFor } from './fuzz/runner';

describe('fuzz: model and registry routes', () => {
  let server: FuzzServer;
  beforeAll(async () => {
    server = await startFuzzServer({ auth: false });
  });
  afterAll(async () => server?.close());

  const anonymous = fc.constant(undefined);
  for (const route of [...modelRoutes(anonymous), methodRoutes(anonymous)]) {
    it(route.name, () => fuzzRoute(server, route), testTimeoutFor(route));
  }
});
