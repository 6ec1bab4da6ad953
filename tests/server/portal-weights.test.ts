import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import type { GgufWeights, MlcWeights, PortalWeightsResponse } from '#protocol/portal/types';
import { STORIES, STORIES_SHA256, createModelFrom } from './fixtures';
import { startMonitoredServer, userFromHeader, type MonitoredServer } from './monitoring-app';

const sha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

async function weights(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/api/portal/weights`, { headers });
  return { status: response.status, body: (await response.json()) as PortalWeightsResponse };
}

/** GETs a path byte for byte as given (fetch would normalise "../" away). */
function rawGet(url: string, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const request = http.get({ hostname, port, path: rawPath }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('GGUF weights for browsers', () => {
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer();
    await createModelFrom(server.url, 'stories');
  });
  afterAll(() => server.close());

  it('lists each model blob with what a browser catalog needs', async () => {
    const { status, body } = await weights(server.url);
    expect(status).toBe(200);
    const size = (await fs.stat(STORIES)).size;
    expect(body.models).toEqual([
      {
        format: 'gguf',
        name: 'stories:latest',
        digest: STORIES_SHA256,
        size,
        quantization: expect.stringMatching(/^[A-Z0-9_]+$/),
        family: 'llama',
        parameter_size: expect.stringMatching(/K$/),
        context_length: expect.any(Number),
        // stories260K is a base model: no chat template in the GGUF or the manifest.
        completionOnly: true,
        embedding: false,
        url: `/v2/library/stories/blobs/sha256:${STORIES_SHA256}`
      }
    ]);
  });

  it('serves the listed url in resumable ranges that add up to the digest', async () => {
    const [model] = (await weights(server.url)).body.models as GgufWeights[];
    const half = Math.floor(model.size / 2);
    const first = await fetch(`${server.url}${model.url}`, {
      headers: { range: `bytes=0-${half - 1}` }
    });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-${half - 1}/${model.size}`);
    const rest = await fetch(`${server.url}${model.url}`, { headers: { range: `bytes=${half}-` } });
    expect(rest.status).toBe(206);
    const bytes = Buffer.concat([
      Buffer.from(await first.arrayBuffer()),
      Buffer.from(await rest.arrayBuffer())
    ]);
    expect(bytes.length).toBe(model.size);
    expect(sha256(bytes)).toBe(model.digest);
  });

  it('says MLC weights are not served when HEARTH_MLC_DIR is unset', async () => {
    const response = await fetch(`${server.url}/mlc/any/resolve/main/ndarray-cache.json`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toMatch(/HEARTH_MLC_DIR/);
  });
});

describe('GGUF weights with sign-in on', () => {
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer({
      // Stand-in for the auth layer: request.user from a header, per-user download rights.
      beforeRoutes(app, ctx) {
        const canDownload = (request: FastifyRequest, model: string) =>
          (request as FastifyRequest & { user?: { id: string } }).user?.id === 'alice' &&
          model.startsWith('stories');
        Object.assign(ctx, { access: { enabled: true, canDownload } });
        userFromHeader(app, 'x-test-user', (id) => ({ id, role: 'user' }));
      }
    });
    await createModelFrom(server.url, 'stories');
    const copy = await fetch(`${server.url}/api/copy`, {
      method: 'POST',
      body: JSON.stringify({ source: 'stories', destination: 'private-model' })
    });
    expect(copy.status).toBe(200);
  });
  afterAll(() => server.close());

  it('asks for sign-in, then lists only what the user may download', async () => {
    expect((await weights(server.url)).status).toBe(401);
    const bob = await weights(server.url, { 'x-test-user': 'bob' });
    expect(bob).toEqual({ status: 200, body: { models: [], modelSource: null } });
    const alice = await weights(server.url, { 'x-test-user': 'alice' });
    expect(alice.body.models.map((m) => m.name)).toEqual(['stories:latest']);
  });

  it('lists nothing when sign-in is on but no download rule exists (fails closed)', async () => {
    Object.assign(server.ctx, { access: { enabled: true } });
    const alice = await weights(server.url, { 'x-test-user': 'alice' });
    expect(alice.body.models).toEqual([]);
  });
});

describe('MLC weights from HEARTH_MLC_DIR', () => {
  const MODEL_ID = 'Tiny-q4f16_1-MLC';
  const LIB = `${MODEL_ID}-ctx2k-webgpu.wasm`;
  let root: string;
  let mlcDir: string;
  let shard: Buffer;
  let server: MonitoredServer;

  beforeAll(async () => {
    // A fake MLC layout of small files: this tests file serving, not a model.
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-mlc-'));
    mlcDir = path.join(root, 'mlc');
    const modelDir = path.join(mlcDir, MODEL_ID);
    await fs.mkdir(modelDir, { recursive: true });
    await fs.mkdir(path.join(mlcDir, 'libs'));
    await fs.mkdir(path.join(mlcDir, 'no-config-here'));
    await fs.mkdir(path.join(mlcDir, 'No-Lib-MLC'));
    await fs.writeFile(path.join(mlcDir, 'No-Lib-MLC', 'mlc-chat-config.json'), '{}');
    const config = { quantization: 'q4f16_1', context_window_size: 2048 };
    await fs.writeFile(path.join(modelDir, 'mlc-chat-config.json'), JSON.stringify(config));
    await fs.writeFile(path.join(modelDir, 'ndarray-cache.json'), '{"records":[]}');
    shard = crypto.randomBytes(50_000);
    await fs.writeFile(path.join(modelDir, 'params_shard_0.bin'), shard);
    await fs.writeFile(path.join(modelDir, '.env'), 'HIDDEN-SECRET');
    await fs.writeFile(path.join(mlcDir, 'libs', LIB), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    await fs.writeFile(path.join(mlcDir, 'secret.txt'), 'TOP-SECRET-MLC-ROOT');
    await fs.writeFile(path.join(root, 'outside.txt'), 'TOP-SECRET-OUTSIDE');
    await fs.symlink(path.join(root, 'outside.txt'), path.join(modelDir, 'escape.json'));
    server = await startMonitoredServer({ portal: { mlcDir } });
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('lists a web-llm model record for each complete MLC folder', async () => {
    const { body } = await weights(server.url);
    const mlc = body.models.filter((m): m is MlcWeights => m.format === 'mlc');
    const folderBytes =
      shard.length +
      14 +
      JSON.stringify({ quantization: 'q4f16_1', context_window_size: 2048 }).length;
    expect(mlc).toEqual([
      {
        format: 'mlc',
        name: MODEL_ID,
        size: folderBytes,
        quantization: 'q4f16_1',
        context_length: 2048,
        model: `${server.url}/mlc/${MODEL_ID}`,
        model_id: MODEL_ID,
        model_lib: `${server.url}/mlc/libs/${LIB}`,
        required_features: ['shader-f16']
      }
    ]);
  });

  it('serves files where web-llm looks for them, with ranges and content types', async () => {
    const [record] = (await weights(server.url)).body.models as MlcWeights[];
    // web-llm appends "resolve/main/" to `model` and fetches each file under it.
    const base = `${record.model}/resolve/main/`;
    const config = await fetch(`${base}mlc-chat-config.json`);
    expect(config.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await config.json()).toMatchObject({ quantization: 'q4f16_1' });
    const part = await fetch(`${base}params_shard_0.bin`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${shard.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(shard.subarray(100, 200));
    // Past the end: 416 naming the size, with a body in Ollama's error shape.
    const past = await fetch(`${base}params_shard_0.bin`, {
      headers: { range: 'bytes=99999999-' }
    });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${shard.length}`);
    expect(((await past.json()) as { error: string }).error).toMatch(/not satisfiable/);
    const whole = await fetch(`${base}params_shard_0.bin`);
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(sha256(shard));
    const lib = await fetch(record.model_lib);
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toBe('application/wasm');
  });

  it('refuses paths that leave the MLC folder', async () => {
    const attempts = [
      `/mlc/${MODEL_ID}/resolve/main/../../secret.txt`,
      `/mlc/${MODEL_ID}/resolve/main/..%2f..%2fsecret.txt`,
      `/mlc/${MODEL_ID}/resolve/main/%2e%2e/%2e%2e/outside.txt`,
      `/mlc/${MODEL_ID}/resolve/main/..%5c..%5csecret.txt`,
      `/mlc/..%2f..%2f/resolve/main/outside.txt`,
      `/mlc/libs/..%2fsecret.txt`,
      `/mlc/libs/..%2f..%2fsecret.wasm`,
      `/mlc/libs/resolve/main/../secret.txt`,
      `/mlc/${MODEL_ID}/resolve/main/escape.json`,
      `/mlc/${MODEL_ID}/resolve/main/.env`,
      `/mlc/${MODEL_ID}/resolve/main/`
    ];
    for (const attempt of attempts) {
      const { status, body } = await rawGet(server.url, attempt);
      expect(status, attempt).toBeGreaterThanOrEqual(400);
      expect(body, attempt).not.toMatch(/TOP-SECRET|HIDDEN-SECRET/);
    }
  });
});
