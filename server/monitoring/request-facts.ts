/**
 * Per-request facts that only deeper layers learn (which model actually ran, how many
 * tokens it read and wrote). The scheduler decorator writes them into the store of the
 * request being served; the access log and metrics read them when the response ends.
 * AsyncLocalStorage carries the store through the route's awaits without the routes
 * (owned elsewhere) having to pass anything along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RequestFacts {
  model?: string;
  promptTokens?: number;
  evalTokens?: number;
  evalDurationNs?: number;
}

const storage = new AsyncLocalStorage<RequestFacts>();
const factsByRequest = new WeakMap<FastifyRequest, RequestFacts>();

/** The facts of the request whose handler is running now, if any. */
export function currentRequestFacts(): RequestFacts | undefined {
  return storage.getStore();
}

export function factsOf(request: FastifyRequest): RequestFacts | undefined {
  return factsByRequest.get(request);
}

export function trackRequestFacts(app: FastifyInstance): void {
  // preHandler runs after body parsing, whose stream events would lose an earlier store;
  // calling `done` inside run() makes the handler (and everything it awaits) see this one.
  app.addHook('preHandler', (request, _reply, done) => {
    const facts: RequestFacts = {};
    factsByRequest.set(request, facts);
    storage.run(facts, done);
  });
}
