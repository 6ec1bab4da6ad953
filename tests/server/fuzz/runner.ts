/**
 * Runs one route's property: every generated request must satisfy the invariants in
 * ./invariants, and must not touch the models folder (or, for routes that write models,
 * write only Ollama's layout). After the run the server must still answer /api/version
 * and the folder must match its snapshot. A failure names the seed and the shrunk
 * counterexample, and the command line that replays exactly that run.
 *
 * Knobs (environment):
 *   HEARTH_FUZZ_RUNS        runs per route (default: each route's own, a few hundred)
 *   HEARTH_FUZZ_SEED        replay a seed printed by a failure
 *   HEARTH_FUZZ_RANDOM=1    draw fresh seeds (by default each route has a fixed seed, so
 *                           a CI run is reproducible; explore with this and more runs)
 *   HEARTH_FUZZ_PATH        with the seed, replay only the shrunk counterexample
 *   HEARTH_FUZZ_TIMEOUT_MS  how long one request may take before it counts (20000)
 *   HEARTH_FUZZ_COLLECT=1   do not stop at the first failure: list every distinct kind
 */
import fc from 'fast-check';
import { credentialHeaders, ensureSession, type FuzzServer } from './app';
import { sendAndCheck, type FuzzRequest } from './invariants';
import { diff, layoutViolations, snapshot } from './models-dir';

export interface RouteFuzz {
  name: string;
  /** Requests with `as` naming a credential variant from credentialHeaders(). */
  request: fc.Arbitrary<FuzzRequest & { as?: string }>;
  upstreamStatuses?: number[];
  /** The route may write models: the folder may change, within Ollama's layout only. */
  writesModels?: boolean;
  /** Default runs (HEARTH_FUZZ_RUNS overrides). */
  runs: number;
}

const env = process.env;
export const TIMEOUT_MS = Number(env.HEARTH_FUZZ_TIMEOUT_MS ?? 20_000);
const COLLECT = env.HEARTH_FUZZ_COLLECT === '1';

/** A route's own fixed seed (FNV-1a of its name). */
export function routeSeed(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash | 0;
}

function seedFor(route: RouteFuzz): number | undefined {
  if (env.HEARTH_FUZZ_SEED) return Number(env.HEARTH_FUZZ_SEED);
  return env.HEARTH_FUZZ_RANDOM === '1' ? undefined : routeSeed(route.name);
}

export function runsFor(route: RouteFuzz): number {
  return env.HEARTH_FUZZ_RUNS ? Number(env.HEARTH_FUZZ_RUNS) : route.runs;
}

/** Vitest's per-test limit for a route: its runs, at worst one timeout, and shrinking. */
export function testTimeoutFor(route: RouteFuzz): number {
  return Math.max(180_000, runsFor(route) * 400 + 4 * TIMEOUT_MS);
}

/** Short text for a request: huge fields are cut so a report stays readable. */
export function describeRequest(request: unknown): string {
  const text = fc.stringify(request);
  return text.length > 1_500 ? `${text.slice(0, 1_500)}… (${text.length} chars)` : text;
}

function withCredentials(server: FuzzServer, request: FuzzRequest & { as?: string }) {
  const variants = credentialHeaders(server);
  const headers = variants[request.as ?? 'none'] ?? {};
  return { ...request, headers: { ...headers, ...request.headers } };
}

async function alive(server: FuzzServer): Promise<string | undefined> {
  try {
    const res = await fetch(`${server.url}/api/version`, {
      signal: AbortSignal.timeout(TIMEOUT_MS)
    });
    return res.status === 200 ? undefined : `/api/version answered ${res.status}`;
  } catch (error) {
    return `/api/version did not answer: ${(error as Error).message}`;
  }
}

/** One request: undefined when it passed, otherwise what went wrong. */
async function checkOne(
  server: FuzzServer,
  route: RouteFuzz,
  request: FuzzRequest & { as?: string },
  timeouts: string[]
): Promise<string | undefined> {
  const before = await snapshot(server.watchRoot);
  const outcome = await sendAndCheck(server.url, withCredentials(server, request), {
    upstreamStatuses: route.upstreamStatuses,
    timeoutMs: TIMEOUT_MS
  });
  if (outcome.kind === 'timeout') {
    timeouts.push(describeRequest(request));
    return undefined;
  }
  if (outcome.kind === 'violation')
    return `${outcome.problem} (status ${outcome.status}): ${outcome.excerpt}`;
  const after = await snapshot(server.watchRoot);
  if (route.writesModels) {
    const known = new Set(layoutViolations(before));
    const fresh = layoutViolations(after).filter((file) => !known.has(file));
    if (fresh.length) return `wrote outside the models layout: ${fresh.join(', ')}`;
    return undefined;
  }
  const changes = diff(before, after);
  return changes.length ? `changed the models folder: ${changes.join('; ')}` : undefined;
}

/** Runs the property for one route; throws with every finding. */
export async function fuzzRoute(server: FuzzServer, route: RouteFuzz): Promise<void> {
  const started = Date.now();
  await ensureSession(server);
  const initial = await snapshot(server.watchRoot);
  const timeouts: string[] = [];
  const collected = new Map<string, string>();
  const property = fc.asyncProperty(route.request, async (request) => {
    // One request past the limit is the finding; more would only queue behind it.
    if (timeouts.length > 0) return;
    const problem = await checkOne(server, route, request, timeouts);
    if (!problem) return;
    if (COLLECT) {
      const kind = problem.replace(/\d+/g, 'N').slice(0, 120);
      if (!collected.has(kind))
        collected.set(kind, `${problem}\n    request: ${describeRequest(request)}`);
      return;
    }
    throw new Error(problem);
  });
  const details = await fc.check(property, {
    numRuns: runsFor(route),
    seed: seedFor(route),
    path: env.HEARTH_FUZZ_PATH,
    // Shrinking retries smaller inputs; bounded so a slow route cannot stall the suite.
    interruptAfterTimeLimit: testTimeoutFor(route) - 4 * TIMEOUT_MS,
    markInterruptAsFailure: false
  });

  const findings: string[] = [];
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : '';
    findings.push(
      `${route.name}: ${cause}\n  counterexample: ${describeRequest(details.counterexample?.[0])}` +
        `\n  replay: HEARTH_FUZZ_SEED=${details.seed} HEARTH_FUZZ_PATH=${details.counterexamplePath}`
    );
  }
  for (const finding of collected.values()) findings.push(`${route.name}: ${finding}`);
  for (const request of timeouts)
    findings.push(`${route.name}: no answer within ${TIMEOUT_MS} ms\n  request: ${request}`);
  const down = await alive(server);
  if (down) findings.push(`${route.name}: server unhealthy after the run: ${down}`);
  if (!route.writesModels) {
    const changes = diff(initial, await snapshot(server.watchRoot));
    if (changes.length)
      findings.push(`${route.name}: models folder changed: ${changes.join('; ')}`);
  }
  console.log(
    `[fuzz] ${route.name}: ${details.numRuns} runs, seed ${details.seed}, ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s, ${findings.length} finding(s)`
  );
  if (findings.length) throw new Error(findings.join('\n\n'));
}
