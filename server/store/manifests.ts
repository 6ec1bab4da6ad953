/**
 * Reading and writing manifests, and turning one into a ResolvedModel. Manifest bytes
 * are kept exactly as written (pulled ones as the registry sent them) because the
 * listed digest is the sha256 of those bytes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  displayName,
  isValidPart,
  modelNameFromParts,
  modelNameSegments,
  type ModelName
} from '#protocol/ollama/names';
import {
  MEDIA_TYPES,
  type Manifest,
  type Message,
  type ModelDetails
} from '#protocol/ollama/types';
import { isDigest, parseDigest } from './digest';
import { Layout, sha256Hex, writeFileAtomic } from './layout';
import type { ResolvedModel } from './model-store';

const layerSchema = z.object({
  mediaType: z.string(),
  digest: z.string().refine(isDigest, 'invalid layer digest'),
  size: z.number().int().nonnegative(),
  from: z.string().optional()
});

export const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().default(MEDIA_TYPES.manifest),
  config: layerSchema,
  layers: z.array(layerSchema)
});

export interface StoredManifest {
  name: ModelName;
  manifest: Manifest;
  bytes: Buffer;
  /** sha256 of the bytes, hex. */
  digest: string;
  modifiedAt: Date;
}

export function parseManifest(bytes: Buffer | string, origin: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString());
  } catch {
    throw new Error(`${origin}: manifest is not JSON`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${origin}: invalid manifest (${parsed.error.issues[0]?.message})`);
  return parsed.data as Manifest;
}

export async function readManifest(
  layout: Layout,
  name: ModelName
): Promise<StoredManifest | undefined> {
  const file = layout.manifestPath(name);
  let bytes: Buffer;
  let stat;
  try {
    [bytes, stat] = await Promise.all([fs.readFile(file), fs.stat(file)]);
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' ||
      (err as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      return undefined;
    throw err;
  }
  if (!stat.isFile()) return undefined;
  return {
    name,
    manifest: parseManifest(bytes, displayName(name)),
    bytes,
    digest: sha256Hex(bytes),
    modifiedAt: stat.mtime
  };
}

/** Writes under the spelling already stored for a name equal but for case (see storedSpelling). */
export async function writeManifest(layout: Layout, name: ModelName, bytes: Buffer): Promise<void> {
  await writeFileAtomic(layout.manifestPath(await storedSpelling(layout, name)), bytes);
}

/**
 * Every stored name (host/namespace/model/tag, four levels under manifests/). Entries
 * that are not valid name parts (a stray folder, a temp file) are not models.
 */
export async function listManifestNames(layout: Layout): Promise<ModelName[]> {
  const names: ModelName[] = [];
  const entries = async (dir: string, files: boolean, part: Parameters<typeof isValidPart>[0]) => {
    try {
      return (await fs.readdir(dir, { withFileTypes: true }))
        .filter((e) => (files ? e.isFile() : e.isDirectory()) && isValidPart(part, e.name))
        .map((e) => e.name);
    } catch {
      return [];
    }
  };
  for (const host of await entries(layout.manifests, false, 'host')) {
    const hostDir = path.join(layout.manifests, host);
    for (const namespace of await entries(hostDir, false, 'namespace')) {
      const namespaceDir = path.join(hostDir, namespace);
      for (const model of await entries(namespaceDir, false, 'model')) {
        const modelDir = path.join(namespaceDir, model);
        for (const tag of await entries(modelDir, true, 'tag')) {
          if (!tag.includes('-tmp-'))
            names.push(modelNameFromParts({ host, namespace, model, tag }));
        }
      }
    }
  }
  return names;
}

/**
 * The name spelled as the store already spells it, part by part, so a name that differs
 * only in case (Ollama treats those as one) never creates a second folder or manifest.
 */
export async function storedSpelling(layout: Layout, name: ModelName): Promise<ModelName> {
  const kinds = ['host', 'namespace', 'model', 'tag'] as const;
  const parts = [...modelNameSegments(name)];
  let dir = layout.manifests;
  for (let i = 0; i < parts.length; i++) {
    const existing = await fs.readdir(dir).catch(() => [] as string[]);
    if (!existing.includes(parts[i])) {
      const wanted = parts[i].toLowerCase();
      const match = existing.find((e) => isValidPart(kinds[i], e) && e.toLowerCase() === wanted);
      if (!match) break;
      parts[i] = match;
    }
    dir = path.join(dir, parts[i]);
  }
  const [host, namespace, model, tag] = parts;
  return modelNameFromParts({ host, namespace, model, tag });
}

/** Removes a manifest and the directories it leaves empty (never manifests/ itself). */
export async function removeManifest(layout: Layout, name: ModelName): Promise<void> {
  const file = layout.manifestPath(name);
  await fs.rm(file);
  let dir = path.dirname(file);
  while (dir.startsWith(layout.manifests + path.sep)) {
    try {
      await fs.rmdir(dir);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}

interface ConfigBlob {
  model_format?: string;
  model_family?: string;
  model_families?: string[] | null;
  model_type?: string;
  file_type?: string;
}

export async function readDetails(layout: Layout, manifest: Manifest): Promise<ModelDetails> {
  let config: ConfigBlob = {};
  try {
    config = JSON.parse(
      await fs.readFile(layout.blobPath(parseDigest(manifest.config.digest)), 'utf8')
    ) as ConfigBlob;
  } catch {
    // A missing or odd config blob still lets the model be listed, just with blank details.
  }
  return {
    parent_model: '',
    format: config.model_format ?? 'gguf',
    family: config.model_family ?? '',
    families: config.model_families ?? null,
    parameter_size: config.model_type ?? '',
    quantization_level: config.file_type ?? ''
  };
}

async function readText(layout: Layout, digest: string): Promise<string> {
  return fs.readFile(layout.blobPath(parseDigest(digest)), 'utf8');
}

export async function toResolvedModel(
  layout: Layout,
  stored: StoredManifest
): Promise<ResolvedModel> {
  const { manifest } = stored;
  const resolved: ResolvedModel = {
    name: displayName(stored.name),
    digest: stored.digest,
    modelPath: '',
    parameters: {},
    messages: [],
    license: [],
    details: await readDetails(layout, manifest),
    size: manifest.layers.reduce((sum, l) => sum + l.size, 0) + manifest.config.size,
    modifiedAt: stored.modifiedAt
  };
  for (const layer of manifest.layers) {
    switch (layer.mediaType) {
      case MEDIA_TYPES.model:
        // Split models list several model layers; the first holds the header llama.cpp opens.
        if (!resolved.modelPath) resolved.modelPath = layout.blobPath(parseDigest(layer.digest));
        break;
      case MEDIA_TYPES.template:
        resolved.template = await readText(layout, layer.digest);
        break;
      case MEDIA_TYPES.system:
        resolved.system = await readText(layout, layer.digest);
        break;
      case MEDIA_TYPES.params:
        resolved.parameters = JSON.parse(await readText(layout, layer.digest));
        break;
      case MEDIA_TYPES.messages:
        resolved.messages = JSON.parse(await readText(layout, layer.digest)) as Message[];
        break;
      case MEDIA_TYPES.license:
        resolved.license.push(await readText(layout, layer.digest));
        break;
    }
  }
  return resolved;
}
