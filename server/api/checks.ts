/**
 * /api/admin/checks: the deployment self-check from the admin page. POST runs the fixed
 * battery (server/check/battery.ts) against one of this server's models and keeps the
 * report; GET lists the kept reports, newest first. Admin-only (the /api/admin guard).
 *
 * The battery speaks the Ollama API, as `hearth check` does over HTTP; here its requests
 * go through this server's own routes in-process, carrying the admin's credentials, so
 * they meet the same auth, permissions and limits as any client's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiClient, ApiError } from '#protocol/client';
import type { CheckHistoryResponse, CheckReport } from '#protocol/portal/checks';
import type { ServerContext } from '../context';
import { HttpError } from '../errors';
import { parse } from '../auth/wire';
import { runChecks } from '../check/battery';
import { CheckHistory } from '../check/history';

const checkRequestSchema = z.object({ model: z.string().min(1).max(300) });

/** The caller's credentials, forwarded to the battery's own requests. */
const FORWARDED = ['cookie', 'authorization', 'x-csrf-token'] as const;

function forwardedHeaders(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** fetch() answered by this server's own routes (Fastify's inject), never the network. */
function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const res = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      payload: typeof init?.body === 'string' ? init.body : undefined
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined) headers.set(name, String(value));
    return new Response(res.statusCode === 204 ? null : new Uint8Array(res.rawPayload), {
      status: res.statusCode,
      headers
    });
  };
}

export function registerCheckRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const history = CheckHistory.in(ctx.config.dataDir);
  /** One check at a time: each loads a model and runs it flat out for a while. */
  let running: string | null = null;

  app.get('/api/admin/checks', async (): Promise<CheckHistoryResponse> => ({
    checks: await history.list()
  }));

  app.post('/api/admin/checks', async (req): Promise<CheckReport> => {
    const { model } = parse(checkRequestSchema, req.body);
    if (running !== null)
      throw new HttpError(409, `a self-check of ${running} is running; try again when it ends`);
    running = model;
    try {
      const forwarded = forwardedHeaders(req);
      const api = new ApiClient({
        baseUrl: 'http://hearth.invalid',
        headers: () => forwarded,
        fetch: injectFetch(app)
      });
      const report = await runChecks(api, model, {
        checkedBy: `hearth ${ctx.config.version}`
      });
      await history.add(report);
      return report;
    } catch (error) {
      if (error instanceof ApiError) throw new HttpError(error.status, error.message);
      throw error;
    } finally {
      running = null;
    }
  });
}
