/**
 * `hearth export` and `hearth import`: model bundles for machines with no network
 * between them (see server/bundle/format.ts). Both work on a models folder directly —
 * the server's (HEARTH_MODELS / OLLAMA_MODELS) or, with --models, any folder in
 * Ollama's layout, such as ~/.ollama/models — so no server needs to run.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { exportBundle } from '../../bundle/export';
import { importBundle } from '../../bundle/import';
import { bundleFiles, concatenated, parseSize } from '../../bundle/parts';
import { loadConfig } from '../../config';
import { httpStatusOf } from '../../http/error-status';
import { DiskModelStore } from '../../store/disk-store';
import { CliError } from '../client';
import { humanBytes } from '../format';
import { ProgressDisplay } from '../progress';
import type { Write } from './accounts';

export interface BundleFlags {
  models?: string;
}

function modelsFolder(flags: BundleFlags): string {
  return path.resolve(flags.models ?? loadConfig(process.env).modelsDir);
}

/** Messages from the store and the bundle code are already meant for people. */
async function asCliError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // What a server would answer with a 4xx is the user's to fix; crashes keep their stack.
    const status = httpStatusOf(error);
    if (status < 500) throw new CliError((error as Error).message, status);
    throw error;
  }
}

export async function exportModels(
  names: string[],
  flags: BundleFlags & { output: string; split?: string; version: string },
  write: Write
): Promise<void> {
  let splitBytes: number | undefined;
  try {
    splitBytes = flags.split === undefined ? undefined : parseSize(flags.split);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const progress = new ProgressDisplay();
  const { index, files } = await asCliError(() =>
    exportBundle({
      root: modelsFolder(flags),
      names,
      output: path.resolve(flags.output),
      splitBytes,
      createdBy: `hearth ${flags.version}`,
      onProgress: (event) => progress.event(event)
    })
  ).finally(() => progress.stop());
  let bytes = 0;
  for (const file of files) bytes += (await fs.stat(file)).size;
  const where = files.length === 1 ? files[0] : `${files[0]} … ${path.basename(files.at(-1)!)}`;
  write(
    `wrote ${where}: ${index.models.map((m) => m.name).join(', ')} ` +
      `(${index.blobs.length} files, ${humanBytes(bytes)}` +
      `${files.length > 1 ? ` in ${files.length} parts` : ''})\n`
  );
}

export async function importModels(file: string, flags: BundleFlags, write: Write): Promise<void> {
  const store = new DiskModelStore(modelsFolder(flags));
  await store.init();
  let files: string[];
  try {
    files = await bundleFiles(path.resolve(file));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const progress = new ProgressDisplay();
  const result = await asCliError(() =>
    importBundle(store, concatenated(files), (event) => progress.event(event))
  ).finally(() => progress.stop());
  write(
    `imported ${result.models.join(', ')} into ${store.root} ` +
      `(${result.copied} files verified and copied, ${result.skipped} already present)\n`
  );
}
