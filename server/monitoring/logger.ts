/**
 * Structured JSON logs for `hearth serve`: one line per request (written by the access
 * log hook) plus warnings and errors, all through Fastify's pino logger. Redaction is the
 * second line of defence: the access log never copies secrets or prompts in the first
 * place, but an error logged with a request or body attached must not leak them either.
 */
import {
  LogController,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions
} from 'fastify';
import type { ServerConfig } from '../config';
import { truncateText } from '../errors';
import { MAX_LOG_STRING, boundLine, boundValue, errorSerializer } from './log-bounds';

type Env = Record<string, string | undefined>;

export type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** Prompts and messages are private; an operator debugging templates may opt in. */
export function logPromptsEnabled(env: Env = process.env): boolean {
  return env.HEARTH_LOG_PROMPTS === '1';
}

const SECRET_KEYS = [
  'authorization',
  'cookie',
  'password',
  'api_key',
  'apiKey',
  'token',
  'secret',
  'key',
  'set-cookie',
  'x-api-key'
];
const PROMPT_KEYS = ['prompt', 'messages', 'system', 'suffix', 'input', 'content'];

/** A key at the top level, one level down (e.g. body.password) and inside req/res headers. */
function redactionPaths(keys: string[]): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const quoted = `["${key}"]`;
    paths.push(quoted, `*${quoted}`, `*.*${quoted}`);
  }
  return paths;
}

export function createLogger(
  config: Pick<ServerConfig, 'version'>,
  env: Env = process.env
): LoggerOptions {
  const keys = logPromptsEnabled(env) ? SECRET_KEYS : [...SECRET_KEYS, ...PROMPT_KEYS];
  return {
    level: env.HEARTH_DEBUG ? 'debug' : (env.HEARTH_LOG_LEVEL ?? 'info'),
    base: { service: 'hearth', version: config.version },
    // Log shippers parse ISO times and level names without a pino-specific mapping.
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: {
      level: (label: string) => ({ level: label }),
      // Every field bounded, so client input cannot make a line huge (see log-bounds.ts).
      log: (object: Record<string, unknown>) => boundValue(object) as Record<string, unknown>
    },
    hooks: {
      logMethod(args, method) {
        const bounded = args.map((arg: unknown) =>
          typeof arg === 'string' ? truncateText(arg, MAX_LOG_STRING) : arg
        );
        method.apply(this, bounded as Parameters<typeof method>);
      },
      streamWrite: boundLine
    },
    redact: { paths: redactionPaths(keys), censor: '[redacted]' },
    serializers: {
      // Fastify's default request serializer is safe, but keep the query string out:
      // an API key passed as ?key= must not reach the log.
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        path:
          req.url === undefined ? undefined : truncateText(req.url.split('?')[0], MAX_LOG_STRING)
      }),
      err: errorSerializer
    }
  };
}

/**
 * Replaces Fastify's two lines per request ("incoming request", "request completed") with
 * our one access line; failed requests and stream errors are still logged by Fastify.
 */
export class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply
  ): void {
    if (error) super.requestCompleted(error, request, reply);
  }
}

/** Fastify options for `hearth serve`: JSON logs with redaction, one line per request. */
export function serverLogging(
  config: Pick<ServerConfig, 'version'>,
  env: Env = process.env
): Pick<FastifyServerOptions, 'logger' | 'logController'> {
  return { logger: createLogger(config, env), logController: new AccessLogController() };
}
