/**
 * Property-based fuzzing of sign-in and administration, on a server with sign-in on:
 * each request carries the admin's key, the admin's session (with or without its CSRF
 * token), a bad key or nothing. Model and inference routes are fuzzed again here under
 * the same credential mix, since the guard runs before them. Then the account routes
 * once more with sign-in off. Invariants: tests/server/fuzz/runner.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFuzzServer, type FuzzServer } from './fuzz/app';
import { credential } from './fuzz/names';
import { accountRoutes } from './fuzz/routes-accounts';
import { inferenceRoutes } from './fuzz/routes-inference';
import { modelRoutes } from './fuzz/routes-models';
import { fuzzRoute, testTimeoutFor, type RouteFuzz } from './fuzz/runner';

function withCredentials(routes: RouteFuzz[]): RouteFuzz[] {
  return routes.map((route) => ({
    ...route,
    request: fc.tuple(route.request, credential).map(([request, as]) => ({ ...request, as }))
  }));
}

describe('fuzz: account routes, sign-in on', () => {
  let server: FuzzServer;
  beforeAll(async () => {
    server = await startFuzzServer({ auth: true });
  });
  afterAll(async () => server?.close());

  const guarded = withCredentials(
    inferenceRoutes(0.2).filter((r) => /generate|chat\/completions|v1\/models\/:id/.test(r.name))
  );
  const routes = [
    ...accountRoutes(credential),
    ...guarded,
    ...modelRoutes(credential, 0.25).filter((r) => !r.name.includes('/api/delete'))
  ];
  for (const route of routes) {
    it(`${route.name} (sign-in on)`, () => fuzzRoute(server, route), testTimeoutFor(route));
  }
});

describe('fuzz: account routes, sign-in off', () => {
  let server: FuzzServer;
  beforeAll(async () => {
    server = await startFuzzServer({ auth: false });
  });
  afterAll(async () => server?.close());

  for (const route of accountRoutes(fc.constant(undefined), 0.2)) {
    it(`${route.name} (sign-in off)`, () => fuzzRoute(server, route), testTimeoutFor(route));
  }
});
