/**
 * The portal as a weights server for browsers on the LAN, so an air-gapped network never
 * needs a model hub. GET /api/portal/weights lists what the caller may download: GGUF
 * blobs from the model store (fetched from the registry's /v2 blob route, which serves
 * Range requests so downloads resume) and, with HEARTH_MLC_DIR set, MLC model folders
 * served under /mlc in the `…/resolve/main/<file>` layout web-llm expects:
 *
 *   $HEARTH_MLC_DIR/<model_id>/mlc-chat-config.json, ndarray-cache.json, params_shard_*.bin…
 *   $HEARTH_MLC_DIR/libs/<model_id>…-webgpu.wasm     (or named by "model_lib" in the config)
 *
 * The listing also carries the administrator's default model source (a Hugging Face
 * mirror, ModelScope or a LAN folder) for the catalog's downloads, which an admin sets
 * with PUT /api/admin/model-source; a user's own choice in the app overrides it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context';
import type {
  GgufWeights,
  MlcWeights,
  ModelSourceResponse,
  ModelSourceSetting,
  PortalWeights,
  PortalWeightsResponse
} from '#protocol/portal/types';
import { readModelSource } from '#protocol/portal/model-source';
import { modelSourceRequestSchema } from '#protocol/portal/requests';
import { auditor } from './admin';
import { tryParseModelName } from '#protocol/ollama/names';
import { accessOf, authEnabled, userOf } from '../monitoring/access';
import { sendError } from '../http/errors';
import { readGgufInfo } from '../store/gguf-info';
import { sendFileRange } from '../http/ranges';
import { databasePath } from '../auth/db';
import { parse } from '../auth/wire';

export interface PortalOptions {
  /** Folder of MLC model folders plus libs/ (HEARTH_MLC_DIR); unset = no MLC weights. */
  mlcDir?: string;
}

export function portalOptionsFromEnv(env: Record<string, string | undefined> = process.env) {
  const dir = env.HEARTH_MLC_DIR?.trim();
  return { mlcDir: dir ? path.resolve(dir) : undefined };
}

/** A file or folder name we serve: no dot-files, so never "." or "..", no separators. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;
const LIBS = 'libs';
const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream'
};

/** Every model the caller may download; fail closed when auth is on but has no say. */
async function mayDownload(ctx: ServerContext, request: FastifyRequest, model: string) {
  if (!authEnabled(ctx)) return true;
  const check = accessOf(ctx)?.canDownload;
  if (typeof check !== 'function') return false;
  try {
    return (await check(request, model)) === true;
  } catch {
    return false;
  }
}

async function ggufWeights(ctx: ServerContext, request: FastifyRequest): Promise<GgufWeights[]> {
  const out: GgufWeights[] = [];
  for (const listed of await ctx.store.list()) {
    if (!(await mayDownload(ctx, request, listed.name))) continue;
    const model = await ctx.store.resolve(listed.name).catch(() => undefined);
    const hex = model && /sha256-([0-9a-f]{64})$/.exec(path.basename(model.modelPath))?.[1];
    if (!model || !hex) continue;
    const stat = await fs.stat(model.modelPath).catch(() => undefined);
    const info = await readGgufInfo(model.modelPath).catch(() => undefined);
    // The blob URL is built from the name's checked parts; a name that does not parse
    // (never one the store lists) is not offered rather than failing the whole list.
    const name = tryParseModelName(model.name);
    if (!stat?.isFile() || !info || !name) continue; // a missing or broken blob is not offered
    const chatTemplate = info.metadata['tokenizer.chat_template'];
    out.push({
      format: 'gguf',
      name: model.name,
      digest: hex,
      size: stat.size,
      quantization: info.quantization || model.details.quantization_level,
      family: model.details.family || info.architecture,
      parameter_size: model.details.parameter_size,
      context_length: info.contextLength ?? null,
      completionOnly: !(typeof chatTemplate === 'string' && chatTemplate) && !model.template,
      embedding: info.embedding,
      url: `/v2/${name.namespace}/${name.model}/blobs/sha256:${hex}`,
      ...(Object.keys(model.parameters).length > 0 ? { parameters: model.parameters } : {})
    });
  }
  return out;
}

async function folderSize(dir: string, depth = 0): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (!SEGMENT.test(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isFile()) total += (await fs.stat(full)).size;
    else if (entry.isDirectory() && depth < 2) total += await folderSize(full, depth + 1);
  }
  return total;
}

/** The model's wasm: named in its config, else the first libs/ file starting with its id. */
function findLib(id: string, config: Record<string, unknown>, libs: string[]) {
  const named = typeof config.model_lib === 'string' ? path.basename(config.model_lib) : '';
  if (named && libs.includes(named)) return named;
  return libs.find((file) => file.startsWith(id));
}

async function mlcWeights(
  ctx: ServerContext,
  request: FastifyRequest,
  root: string
): Promise<MlcWeights[]> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  const libs = await fs.readdir(path.join(root, LIBS)).catch(() => [] as string[]);
  const wasm = libs.filter((file) => SEGMENT.test(file) && file.endsWith('.wasm')).sort();
  const origin = `${request.protocol}://${request.host}`;
  const out: MlcWeights[] = [];
  for (const entry of entries) {
    const id = entry.name;
    if (!entry.isDirectory() || id === LIBS || !SEGMENT.test(id)) continue;
    const configText = await fs
      .readFile(path.join(root, id, 'mlc-chat-config.json'), 'utf8')
      .catch(() => undefined);
    if (configText === undefined) continue;
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(configText) as Record<string, unknown>;
    } catch {
      ctx.log.warn({ model_id: id }, 'skipping MLC model: mlc-chat-config.json is not JSON');
      continue;
    }
    const lib = findLib(id, config, wasm);
    if (!lib) {
      ctx.log.warn({ model_id: id }, `skipping MLC model: no ${LIBS}/${id}*.wasm`);
      continue;
    }
    if (!(await mayDownload(ctx, request, id))) continue;
    const quantization = typeof config.quantization === 'string' ? config.quantization : null;
    const window = config.context_window_size;
    out.push({
      format: 'mlc',
      name: id,
      size: await folderSize(path.join(root, id)),
      quantization,
      context_length: typeof window === 'number' && window > 0 ? window : null,
      model: `${origin}/mlc/${id}`,
      model_id: id,
      model_lib: `${origin}/mlc/${LIBS}/${lib}`,
      // q4f16 and friends need WebGPU's f16 shaders; web-llm checks this before loading.
      ...(quantization?.includes('f16') ? { required_features: ['shader-f16'] } : {})
    });
  }
  return out;
}

const MODEL_SOURCE_KEY = 'models.source';

/** The administrator's default; null when none is set. */
async function portalModelSource(ctx: ServerContext): Promise<ModelSourceSetting | null> {
  const auth = ctx.auth;
  if (!auth) return null;
  // With sign-in off a plain local server never creates hearth.db just to say "none".
  const file = databasePath(auth.config.dataDir);
  if (!auth.enabled && !(await fs.stat(file).catch(() => null))) return null;
  return readModelSource((await auth.store()).settings.get(MODEL_SOURCE_KEY));
}

/** Under /api/admin, so the guard admits administrators only and checks the CSRF token. */
function registerModelSourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const auth = ctx.auth;
  if (!auth) return;
  const audit = auditor(auth);
  app.get('/api/admin/model-source', async (_request, reply) => {
    const body: ModelSourceResponse = { modelSource: await portalModelSource(ctx) };
    return reply.header('cache-control', 'no-store').send(body);
  });
  // { modelSource: { kind, url? } | null } → { modelSource } as stored (URL normalized)
  app.put('/api/admin/model-source', async (request) => {
    const { modelSource } = parse(modelSourceRequestSchema, request.body);
    const store = await auth.store();
    store.settings.set(MODEL_SOURCE_KEY, modelSource, request.principal?.user.id ?? null);
    await audit(request, { action: 'settings.model_source', detail: { ...modelSource } });
    return { modelSource } satisfies ModelSourceResponse;
  });
}

/**
 * Joins checked names under root and refuses anything that leaves it, including through
 * a symbolic link. Undefined means "not ours to serve" (answered 404, never the reason).
 */
async function containedFile(root: string, segments: string[]): Promise<string | undefined> {
  if (segments.length === 0 || !segments.every((s) => SEGMENT.test(s))) return undefined;
  const realRoot = await fs.realpath(root).catch(() => undefined);
  const real = await fs.realpath(path.join(root, ...segments)).catch(() => undefined);
  if (!realRoot || !real || !real.startsWith(realRoot + path.sep)) return undefined;
  return real;
}

async function sendFile(request: FastifyRequest, reply: FastifyReply, file: string | undefined) {
  const stat = file ? await fs.stat(file).catch(() => undefined) : undefined;
  if (!file || !stat?.isFile()) return sendError(request, reply, 404, 'file not found');
  reply
    .type(CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'no-cache')
    .header('last-modified', stat.mtime.toUTCString());
  return sendFileRange(reply, request.headers.range, file, stat.size);
}

export function registerPortalRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: PortalOptions = portalOptionsFromEnv()
): void {
  const { mlcDir } = options;
  registerModelSourceRoutes(app, ctx);
  const signInFirst = (request: FastifyRequest, reply: FastifyReply) => {
    if (!authEnabled(ctx) || userOf(request)) return false;
    reply.header('www-authenticate', 'Bearer');
    void sendError(request, reply, 401, 'sign-in required');
    return true;
  };

  app.get('/api/portal/weights', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const models: PortalWeights[] = await ggufWeights(ctx, request);
    if (mlcDir) models.push(...(await mlcWeights(ctx, request, mlcDir)));
    const body: PortalWeightsResponse = { models, modelSource: await portalModelSource(ctx) };
    return reply.header('cache-control', 'no-store').send(body);
  });

  const notConfigured = (request: FastifyRequest, reply: FastifyReply) =>
    sendError(request, reply, 404, 'MLC weights are not served here (HEARTH_MLC_DIR is not set)');

  app.get<{ Params: { file: string } }>('/mlc/libs/:file', async (request, reply) => {
    if (!mlcDir) return notConfigured(request, reply);
    if (signInFirst(request, reply)) return reply;
    const { file } = request.params;
    if (!file.endsWith('.wasm')) return sendError(request, reply, 404, 'file not found');
    return sendFile(request, reply, await containedFile(mlcDir, [LIBS, file]));
  });

  app.get<{ Params: { modelId: string; '*': string } }>(
    '/mlc/:modelId/resolve/main/*',
    async (request, reply) => {
      if (!mlcDir) return notConfigured(request, reply);
      if (signInFirst(request, reply)) return reply;
      const { modelId } = request.params;
      const segments = request.params['*'].split('/');
      if (modelId === LIBS || !(await mayDownload(ctx, request, modelId)))
        return sendError(request, reply, 404, 'file not found');
      return sendFile(request, reply, await containedFile(mlcDir, [modelId, ...segments]));
    }
  );
}
