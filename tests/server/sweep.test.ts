/**
 * Crash leftovers: temp files that a killed upload, layer write or manifest write left in
 * the model store are gone once the server starts again; a pull's resumable partial and
 * a temp file another live process is still writing stay.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { tempPathFor } from '../../server/store/layout';

const HEX = 'ab'.repeat(32);
/** Above Linux's largest pid_max (2^22), so no process can have it. */
const DEAD_PID = 4_194_305;

async function plant(file: string, bytes = 16, ageMs = 0): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, Buffer.alloc(bytes));
  if (ageMs) {
    const when = new Date(Date.now() - ageMs);
    await fs.utimes(file, when, when);
  }
  return file;
}

const present = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false
  );

describe('start-up sweep of the model store', () => {
  let modelsDir: string;
  let planted: Record<string, string>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-sweep-'));
    const blobs = path.join(modelsDir, 'blobs');
    const blob = path.join(blobs, `sha256-${HEX}`);
    const manifest = path.join(modelsDir, 'manifests', 'registry.ollama.ai', 'library', 'm', 'x');
    planted = {
      // Named exactly as the store names them; our pid is "gone" at start-up.
      upload: await plant(tempPathFor(blob), 41 * 1024),
      manifestTemp: await plant(tempPathFor(manifest)),
      deadWriter: await plant(`${blob}-tmp-${DEAD_PID}-0123456789ab`),
      liveButStale: await plant(`${blob}-tmp-${process.ppid}-0123456789ab`, 16, 2 * 3_600_000),
      liveAndFresh: await plant(`${blob}-tmp-${process.ppid}-ba9876543210`),
      partial: await plant(`${blob}-partial`, 1024),
      blob: await plant(blob),
      manifest: await plant(manifest)
    };
    const config = loadConfig({ HEARTH_MODELS: modelsDir, HEARTH_THREADS: '1' });
    const { app } = await buildApp(config);
    close = () => app.close();
  });

  afterAll(async () => {
    await close?.();
    await fs.rm(modelsDir, { recursive: true, force: true });
  });

  it('removes temp files whose writer is gone', async () => {
    for (const name of ['upload', 'manifestTemp', 'deadWriter', 'liveButStale'])
      expect(await present(planted[name]), name).toBe(false);
  });

  it('keeps pull partials, finished files and a live writer’s fresh temp file', async () => {
    for (const name of ['partial', 'blob', 'manifest', 'liveAndFresh'])
      expect(await present(planted[name]), name).toBe(true);
  });
});
