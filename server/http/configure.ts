/**
 * Everything about HTTP that is not an API route: body parsing, error rendering, CORS,
 * security headers, compression, the static web app and the 404 fallback. Kept apart
 * from buildApp() so it can be tested on a bare Fastify instance without the model
 * store or the runtime.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config';
import { registerBodyParsers } from './body';
import { registerIdentityRanges, registerJsonCompression } from './compression';
import { registerCors } from './cors';
import { registerErrorHandling } from './errors';
import { registerNotFound } from './not-found';
import { registerNoSniff } from './security-headers';
import { registerStaticApp } from './static-app';
import type { WidgetCors } from '../widget/cors';

export type HttpConfig = Pick<ServerConfig, 'host' | 'origins' | 'appDir'>;

export async function configureHttp(
  app: FastifyInstance,
  config: HttpConfig,
  options: { widget?: WidgetCors } = {}
): Promise<void> {
  registerBodyParsers(app);
  registerErrorHandling(app);
  registerNotFound(app, config.appDir);
  registerNoSniff(app);
  registerIdentityRanges(app);
  registerJsonCompression(app);
  await registerCors(app, { origins: config.origins, host: config.host, widget: options.widget });
  await registerStaticApp(app, config.appDir);
}
