/**
 * /api/admin/bundles: model bundles from the admin page, the same files `hearth export`
 * and `hearth import` write and read (server/bundle). GET downloads one bundle holding
 * the chosen models; POST takes one as the request body and imports it, every digest
 * verified while it is copied and nothing listed until its layers are. Admin-only (the
 * /api/admin guard).
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { parse } from '../auth/wire';
import { exportBundle } from '../bundle/export';
import { importBundle } from '../bundle/import';
import { DiskModelStore } from '../store/disk-store';
import { InvalidInputError } from '../domain-errors';

const exportQuery = z.object({ models: z.string().min(1).max(4000) });

export function registerBundleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Bundles are the on-disk layout's files: a server on another store has none to give.
  const store = ctx.store;
  if (!(store instanceof DiskModelStore)) return;
  const root = store.root;

  // ?models=a,b → the bundle as a download. It is written whole first (so a bad name is a
  // clean 404, not a cut download), under the data folder, and removed once sent.
  app.get('/api/admin/bundles', async (req, reply) => {
    const names = parse(exportQuery, req.query)
      .models.split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (names.length === 0) throw new InvalidInputError('models is required');
    const folder = path.join(ctx.config.dataDir, 'bundles');
    await fs.mkdir(folder, { recursive: true });
    const output = path.join(folder, `export-${randomUUID()}.hearth`);
    await exportBundle({ root, names, output, createdBy: `hearth ${ctx.config.version}` });
    const { size } = await fs.stat(output);
    reply.raw.on('close', () => void fs.rm(output, { force: true }));
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type('application/x-tar')
      .header('Content-Length', size)
      .header('Content-Disposition', `attachment; filename="hearth-models-${day}.hearth"`)
      .send(createReadStream(output));
  });

  void app.register(async (scope) => {
    // The bundle arrives as raw bytes and is read as it streams in: larger than memory.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.post('/api/admin/bundles', async (req) => {
      const body = (req.body as NodeJS.ReadableStream | undefined) ?? req.raw;
      return importBundle(store, body);
    });
  });
}
