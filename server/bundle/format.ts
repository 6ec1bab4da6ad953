/**
 * A model bundle: one tar file that carries models between machines with no network
 * between them (USB disk, file share). Inside, in this order:
 *
 *   hearth-bundle.json   the index: every model with the sha256 of its manifest, every
 *                        blob with its sha256 and size (each blob once, however many
 *                        models share it)
 *   README.txt           what is inside, for a person (names, sizes, licences)
 *   manifests/…          Ollama's layout, byte for byte
 *   blobs/sha256-<hex>
 *
 * Because the entries below the index are Ollama's own layout, `tar -xf bundle -C
 * ~/.ollama/models` also works, but only `hearth import` verifies what it copies.
 */
import { z } from 'zod';
import { displayName, modelNameSegments, type ModelName } from '#protocol/ollama/names';
import { formatBytes } from '../../src/lib/util/format';
import { digestHex, isDigest, type Digest } from '../store/digest';

export const INDEX_ENTRY = 'hearth-bundle.json';
export const README_ENTRY = 'README.txt';
/** The index and a manifest are small; anything bigger is not one. */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const digest = z.string().refine(isDigest, 'not a sha256 digest');

export const bundleIndexSchema = z.object({
  format: z.literal('hearth-bundle'),
  version: z.literal(1),
  createdAt: z.string(),
  createdBy: z.string(),
  models: z
    .array(
      z.object({
        name: z.string().max(512),
        /** sha256 of the manifest's bytes, as /api/tags lists it. */
        manifest: digest,
        /** Sum of its layers, config included. */
        size: z.number().int().nonnegative()
      })
    )
    .min(1)
    .max(10_000),
  blobs: z.array(z.object({ digest, size: z.number().int().nonnegative() })).max(1_000_000)
});

export type BundleIndex = z.infer<typeof bundleIndexSchema>;

export function manifestEntry(name: ModelName): string {
  return ['manifests', ...modelNameSegments(name)].join('/');
}

export function blobEntry(digest: Digest): string {
  return `blobs/sha256-${digestHex(digest)}`;
}

export interface SummaryModel {
  name: ModelName;
  size: number;
  /** First line of each licence layer. */
  licences: string[];
}

/** README.txt: what the bundle holds and how to bring it in. */
export function summaryText(index: BundleIndex, models: SummaryModel[]): string {
  const total = index.blobs.reduce((sum, blob) => sum + blob.size, 0);
  const lines = [
    `Hearth model bundle, created ${index.createdAt} by ${index.createdBy}`,
    `${models.length} model(s), ${index.blobs.length} file(s), ${formatBytes(total)} in all`,
    ''
  ];
  for (const model of models) {
    lines.push(`  ${displayName(model.name)}  ${formatBytes(model.size)}`);
    for (const licence of model.licences) lines.push(`      licence: ${licence}`);
  }
  lines.push(
    '',
    'Import it (every file is checked against its sha256 as it is copied):',
    '  hearth import <this file>',
    'or, into an Ollama models folder:',
    '  hearth import <this file> --models ~/.ollama/models',
    ''
  );
  return lines.join('\n');
}
