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

export type HttpConfig = Pick<ServerConfig, 'host' | 'origins' | 'appDir'>;

export async function configureHttp(app: FastifyInstance, config: HttpConfig): Promise<void> {
  registerBodyParsers(app);
  registerErrorHandling(app);
  registerNotFound(app, config.appDir);
  registerNoSniff(app);
  registerIdentityRanges(app);
  registerJsonCompression(app);
  await registerCors(app, { origins: config.origins, host: config.host });
  await registerStaticApp(app, config.appDir);
}
