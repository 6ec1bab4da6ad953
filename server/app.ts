/**
 * Builds the HTTP app: one Fastify instance mounting each API family (server/api/*)
 * and serving the built web app. Kept free of listen() so tests can start it on port 0.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ServerConfig } from './config';
import type { ServerContext } from './context';
import { DiskModelStore } from './store/disk-store';
import { chooseRunner, runnerLoader, type RunnerChoice } from './runtime/runner-choice';
import { ModelScheduler } from './runtime/model-scheduler';
import { registerModelRoutes } from './api/models';
import { registerRegistryRoutes } from './api/registry';
import { registerInferenceRoutes } from './api/inference';
import { registerOpenAIRoutes } from './api/openai';
import { registerBaseRoutes } from './api/base';
import { configureHttp } from './http/configure';
import { frameworkErrors } from './http/bad-url';
import { JSON_BODY_LIMIT } from './http/body';
import { sweepTempFiles } from './store/sweep';
import { Auth } from './auth/service';
import { createAccessControl } from './auth/access';
import { registerGuard } from './auth/guard';
import { registerAuthRoutes } from './api/auth';
import { registerAdminRoutes } from './api/admin';
import { registerCheckRoutes } from './api/checks';
import { registerBundleRoutes } from './api/bundles';
import { createWidgetCors } from './widget/cors';
import { registerWidgetRoutes } from './widget/routes';
import { registerWidgetLimits } from './widget/request-limits';
import { registerStatusRoutes, type StatusRoutes } from './api/status';
import { registerPortalRoutes, portalOptionsFromEnv, type PortalOptions } from './api/portal';
import {
  AccessLogController,
  monitoringOptionsFromEnv,
  registerMonitoring,
  type MonitoringOptions
} from './monitoring';

/**
 * Secrets that must never reach a log line, whatever the log level: credentials in
 * request headers and the session cookie the server sets.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie'
];

function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  const own = base.redact && !Array.isArray(base.redact) ? base.redact.paths : (base.redact ?? []);
  return {
    ...base,
    redact: { paths: [...new Set([...own, ...REDACTED_LOG_PATHS])], censor: '[redacted]' }
  };
}

export interface BuildOptions {
  /** Fastify's logger setting; tests keep it off, `hearth serve` logs warnings and errors. */
  logger?: FastifyServerOptions['logger'];
  /** Set with a logger: one access line per request instead of Fastify's two. */
  accessLog?: boolean;
  monitoring?: MonitoringOptions;
  portal?: PortalOptions;
  /** Runs after the guard and before the routes (tests use it to stand in for a client's identity). */
  configure?(app: FastifyInstance, ctx: ServerContext): void;
}

export async function buildApp(
  config: ServerConfig,
  options: BuildOptions = {}
): Promise<{
  app: FastifyInstance;
  ctx: ServerContext;
  status: StatusRoutes;
  runner: RunnerChoice;
}> {
  const app = Fastify({
    logger: withRedaction(options.logger ?? false),
    ...(options.accessLog ? { logController: new AccessLogController() } : {}),
    // Routes that take prompts or Modelfiles raise this (see http/body.ts).
    bodyLimit: JSON_BODY_LIMIT,
    // Node's default, stated so a NODE_OPTIONS flag cannot quietly raise it: larger is a 431.
    http: { maxHeaderSize: 16 * 1024 },
    // A path whose %-escapes do not decode is a 400 in the API's error shape.
    frameworkErrors
  });
  const store = new DiskModelStore(config.modelsDir, { registryKey: config.registryKey });
  await store.init();
  // Before anything writes: a killed upload's temp file would otherwise stay forever.
  const swept = await sweepTempFiles(store.root);
  if (swept.removed.length > 0)
    app.log.info(
      { files: swept.removed.length, bytes: swept.bytes },
      'removed leftover temp files'
    );
  const runner = chooseRunner(config);
  const scheduler = new ModelScheduler(
    config,
    store,
    app.log,
    runnerLoader(runner, config, app.log)
  );
  const auth = new Auth(config);
  // With sign-in on, a missing or unreadable database stops start-up here, not mid-request.
  if (auth.enabled) await auth.store();
  const access = createAccessControl(auth.enabled);
  const ctx: ServerContext = { config, store, scheduler, log: app.log, access, auth, runner };

  await configureHttp(app, config, { widget: createWidgetCors(auth) });
  registerGuard(app, auth);
  registerAuthRoutes(app, auth);
  registerAdminRoutes(app, auth, store);
  registerCheckRoutes(app, ctx);
  registerBundleRoutes(app, ctx);
  registerWidgetRoutes(app, auth, config.appDir);
  registerWidgetLimits(app);
  options.configure?.(app, ctx);
  registerMonitoring(app, ctx, options.monitoring ?? monitoringOptionsFromEnv());
  const status = registerStatusRoutes(app, ctx);
  registerPortalRoutes(app, ctx, options.portal ?? portalOptionsFromEnv());
  registerBaseRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerRegistryRoutes(app, ctx);
  registerInferenceRoutes(app, ctx);
  registerOpenAIRoutes(app, ctx);

  app.addHook('onClose', async () => {
    await scheduler.close();
    await auth.close();
  });
  return { app, ctx, status, runner };
}
