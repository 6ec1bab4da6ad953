/**
 * POST /api/create in Ollama's current form: a base (an existing model via `from`, or
 * uploaded GGUF blobs via `files`) plus template/system/parameters/messages/license
 * layers. Split in two so every input error is found (and answered with a 400) before
 * anything is written or a progress stream has begun.
 */
import fs from 'node:fs/promises';
import { displayName, type ModelName } from '#protocol/ollama/names';
import {
  MEDIA_TYPES,
  type CreateRequest,
  type Manifest,
  type ManifestLayer
} from '#protocol/ollama/types';
import { createRequestSchema } from '#protocol/ollama/requests';
import { InvalidInputError, NotFoundError } from '../domain-errors';
import { quoteInput } from '../errors';
import { humanParameterCount, readGgufInfo, type GgufInfo } from './gguf-info';
import { parseDigest, type Digest } from './digest';
import { Layout, exists, parseName } from './layout';
import { readDetails, readManifest, toResolvedModel, writeManifest } from './manifests';
import type { OnProgress } from './model-store';
import { normalizeParameters } from '#protocol/modelfile/parameters';

export interface CreateDeps {
  layout: Layout;
  /** Stores a small layer (template, params…) by content; true when it was new. */
  putBlob(bytes: Buffer): Promise<{ digest: Digest; created: boolean }>;
  /** Keeps blobs from being pruned while a create uses them. */
  pin(digests: string[]): () => void;
}

export interface CreatePlan {
  name: ModelName;
  baseLayers: ManifestLayer[];
  config: Record<string, unknown>;
  parameters?: Record<string, unknown>;
  request: CreateRequest;
  release: () => void;
}

export async function planCreate(
  deps: CreateDeps,
  input: unknown,
  onProgress: OnProgress
): Promise<CreatePlan> {
  const parsed = createRequestSchema.safeParse(input);
  if (!parsed.success)
    throw new InvalidInputError(
      `invalid create request: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`
    );
  const request: CreateRequest = parsed.data;
  const modelName = request.model ?? request.name;
  if (!modelName) throw new InvalidInputError('model is required');
  const name = parseName(modelName);
  if (request.quantize)
    throw new InvalidInputError('quantize is not supported: import an already quantized GGUF');
  if (request.adapters && Object.keys(request.adapters).length > 0)
    throw new InvalidInputError('adapters are not supported');
  if (request.from && request.files)
    throw new InvalidInputError("give either 'from' or 'files', not both");

  // A bad parameter throws ParameterError, which the HTTP layer answers with a 400.
  const parameters = request.parameters ? normalizeParameters(request.parameters) : undefined;

  let baseLayers: ManifestLayer[];
  let config: Record<string, unknown>;
  if (request.from) {
    ({ baseLayers, config } = await baseFromModel(deps.layout, request.from, onProgress));
  } else if (request.files && Object.keys(request.files).length > 0) {
    ({ baseLayers, config } = await baseFromFiles(deps.layout, request.files, onProgress));
  } else {
    throw new InvalidInputError("neither 'from' or 'files' was specified");
  }
  const release = deps.pin([...baseLayers.map((l) => l.digest)]);
  return { name, baseLayers, config, parameters, request, release };
}

async function baseFromModel(layout: Layout, from: string, onProgress: OnProgress) {
  const base = await readManifest(layout, parseName(from, 'base model'));
  if (!base) throw new NotFoundError(`base model ${quoteInput(from)} not found`);
  const resolved = await toResolvedModel(layout, base);
  if (!resolved.modelPath || !(await exists(resolved.modelPath)))
    throw new InvalidInputError(`base model ${quoteInput(from)} has no model file`);
  const details = await readDetails(layout, base.manifest);
  for (const layer of base.manifest.layers)
    onProgress({ status: `using existing layer ${layer.digest}` });
  return {
    baseLayers: base.manifest.layers.map(({ mediaType, digest, size }) => ({
      mediaType,
      digest,
      size,
      from: displayName(base.name)
    })),
    config: {
      model_format: details.format,
      model_family: details.family,
      model_families: details.families,
      model_type: details.parameter_size,
      file_type: details.quantization_level
    }
  };
}

async function baseFromFiles(
  layout: Layout,
  files: Record<string, string>,
  onProgress: OnProgress
) {
  const layers: ManifestLayer[] = [];
  let main: GgufInfo | undefined;
  for (const [filename, digest] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const checked = parseDigest(digest);
    const file = layout.blobPath(checked);
    if (!(await exists(file)))
      throw new InvalidInputError(
        `file ${quoteInput(filename)}: blob ${checked} not found (upload it with POST /api/blobs/${checked})`
      );
    onProgress({ status: 'parsing GGUF' });
    let info: GgufInfo;
    try {
      info = await readGgufInfo(file);
    } catch (err) {
      throw new InvalidInputError(
        `file ${quoteInput(filename)}: ${(err as Error).message}; only GGUF models can be imported`
      );
    }
    const { size } = await fs.stat(file);
    const projector = info.architecture === 'clip';
    const layerDigest = checked;
    layers.push({
      mediaType: projector ? MEDIA_TYPES.projector : MEDIA_TYPES.model,
      digest: layerDigest,
      size
    });
    onProgress({ status: `using existing layer ${layerDigest}` });
    if (!projector && !main) main = info;
  }
  if (!main) throw new InvalidInputError('files contain no GGUF model');
  return {
    baseLayers: layers,
    config: {
      model_format: 'gguf',
      model_family: main.architecture,
      model_families: [main.architecture],
      model_type: humanParameterCount(main.parameterCount),
      file_type: main.quantization
    }
  };
}

/** Writes the new layers, the config and (atomically, last) the manifest. */
export async function commitCreate(
  deps: CreateDeps,
  plan: CreatePlan,
  onProgress: OnProgress
): Promise<void> {
  try {
    const { request } = plan;
    const layers = [...plan.baseLayers];
    const replace = async (mediaType: string, values: string[]) => {
      for (let i = layers.length - 1; i >= 0; i--)
        if (layers[i].mediaType === mediaType) layers.splice(i, 1);
      for (const value of values) layers.push(await addLayer(deps, mediaType, value, onProgress));
    };
    if (request.template !== undefined) await replace(MEDIA_TYPES.template, [request.template]);
    if (request.system !== undefined) await replace(MEDIA_TYPES.system, [request.system]);
    if (plan.parameters) {
      // As in Ollama, new parameters are merged over the base model's.
      const baseParams = await inheritedParameters(deps.layout, plan.baseLayers);
      await replace(MEDIA_TYPES.params, [JSON.stringify({ ...baseParams, ...plan.parameters })]);
    }
    if (request.messages) await replace(MEDIA_TYPES.messages, [JSON.stringify(request.messages)]);
    if (request.license !== undefined) {
      await replace(
        MEDIA_TYPES.license,
        Array.isArray(request.license) ? request.license : [request.license]
      );
    }

    const config = Buffer.from(
      JSON.stringify({
        ...plan.config,
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
        os: process.platform,
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }
      })
    );
    const configBlob = await deps.putBlob(config);
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, digest: configBlob.digest, size: config.length },
      layers
    };
    onProgress({ status: 'writing manifest' });
    await writeManifest(deps.layout, plan.name, Buffer.from(JSON.stringify(manifest)));
    onProgress({ status: 'success' });
  } finally {
    plan.release();
  }
}

async function addLayer(
  deps: CreateDeps,
  mediaType: string,
  text: string,
  onProgress: OnProgress
): Promise<ManifestLayer> {
  const bytes = Buffer.from(text, 'utf8');
  const { digest, created } = await deps.putBlob(bytes);
  onProgress({ status: `${created ? 'creating new' : 'using existing'} layer ${digest}` });
  return { mediaType, digest, size: bytes.length };
}

async function inheritedParameters(
  layout: Layout,
  layers: ManifestLayer[]
): Promise<Record<string, unknown>> {
  const params = layers.find((l) => l.mediaType === MEDIA_TYPES.params);
  if (!params) return {};
  return JSON.parse(
    await fs.readFile(layout.blobPath(parseDigest(params.digest)), 'utf8')
  ) as Record<string, unknown>;
}
