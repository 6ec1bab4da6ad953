/**
 * The model-management API over real HTTP with the official `ollama` client and raw
 * fetch, on a small Fastify app carrying only the model and registry routes (plus an
 * error handler rendering Ollama's {"error"} shape), backed by a real disk store.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelfile } from '#protocol/modelfile/format';
import { sha256Hex } from '../../server/store/layout';
import {
  STORIES,
  STORIES_DIGEST as DIGEST,
  STORIES_SHA256,
  modelInfo as info,
  postJson
} from './fixtures';
import { startModelServer, type ModelServer } from './model-routes-app';

let server: ModelServer;
let ollama: Ollama;
let storiesBytes: Buffer;

const post = (p: string, body: unknown, method = 'POST') => postJson(server.url + p, body, method);

async function upload(bytes: Buffer, digest = `sha256:${sha256Hex(bytes)}`) {
  return fetch(`${server.url}/api/blobs/${digest}`, {
    method: 'POST',
    body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/octet-stream' }
  });
}

beforeAll(async () => {
  server = await startModelServer('hearth-models-api-', { pruneGraceMs: 0 });
  ollama = new Ollama({ host: server.url });
  storiesBytes = await fs.readFile(STORIES);
});
afterAll(() => server.close());

describe('blobs', () => {
  it('refuses bytes whose sha256 differs, keeping nothing, then accepts the real ones', async () => {
    expect((await fetch(`${server.url}/api/blobs/${DIGEST}`, { method: 'HEAD' })).status).toBe(404);
    const wrong = await upload(storiesBytes.subarray(0, 1000), DIGEST);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toMatch(/digest mismatch/);
    expect(await fs.readdir(path.join(server.root, 'blobs'))).toEqual([]);
    expect((await fetch(`${server.url}/api/blobs/${DIGEST}`, { method: 'HEAD' })).status).toBe(404);

    expect((await upload(storiesBytes)).status).toBe(201);
    expect((await fetch(`${server.url}/api/blobs/${DIGEST}`, { method: 'HEAD' })).status).toBe(200);
    expect((await upload(storiesBytes)).status).toBe(200);
    expect(
      sha256Hex(await fs.readFile(path.join(server.root, 'blobs', `sha256-${STORIES_SHA256}`)))
    ).toBe(STORIES_SHA256);
  });

  it('takes blobs labelled application/json (as Ollama’s Go client sends them) and rejects bad digests', async () => {
    const bytes = Buffer.from('not json at all {');
    const digest = `sha256:${sha256Hex(bytes)}`;
    const res = await fetch(`${server.url}/api/blobs/${digest}`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/json' }
    });
    expect(res.status).toBe(201);
    const bad = await fetch(`${server.url}/api/blobs/sha256:xyz`, { method: 'HEAD' });
    expect(bad.status).toBe(400);
  });
});

describe('create, list, show', () => {
  it('creates a model from an uploaded GGUF with template, system and parameters, streaming progress', async () => {
    const statuses: string[] = [];
    // `files` is Ollama's current create field; this client version does not type it yet.
    const files = { files: { 'stories260K.gguf': DIGEST } };
    const stream = await ollama.create({
      model: 'stories-test',
      ...files,
      template: '{{ .System }} {{ .Prompt }}',
      system: 'You tell stories.',
      parameters: { temperature: 0.5, stop: ['</s>', 'User:'], num_ctx: 256 },
      stream: true
    });
    for await (const part of stream) statuses.push(part.status);
    expect(statuses[0]).toBe('parsing GGUF');
    expect(statuses).toContain(`using existing layer ${DIGEST}`);
    expect(statuses.slice(-2)).toEqual(['writing manifest', 'success']);
  });

  it('lists it with Ollama’s fields, digest = sha256 of the manifest bytes', async () => {
    const { models } = await ollama.list();
    const model = models.find((m) => m.name === 'stories-test:latest');
    expect(model).toBeDefined();
    const manifest = await fs.readFile(
      path.join(server.root, 'manifests/registry.ollama.ai/library/stories-test/latest')
    );
    expect(model!.digest).toBe(sha256Hex(manifest));
    expect(model!.size).toBeGreaterThan(storiesBytes.length);
    expect(model!.details).toMatchObject({
      format: 'gguf',
      family: 'llama',
      parameter_size: '293K',
      quantization_level: 'F32'
    });
    const parsed = JSON.parse(manifest.toString());
    expect(parsed.schemaVersion).toBe(2);
    expect(parsed.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    const config = JSON.parse(
      await fs.readFile(server.store.blobPath(parsed.config.digest), 'utf8')
    );
    expect(config).toMatchObject({ model_format: 'gguf', model_family: 'llama', file_type: 'F32' });
  });

  it('shows details, model_info from the GGUF header, template, system, parameters and a Modelfile', async () => {
    const show = await ollama.show({ model: 'stories-test' });
    expect(show.details.quantization_level).toBe('F32');
    expect(info(show)['general.architecture']).toBe('llama');
    expect(info(show)['llama.context_length']).toBe(512);
    expect(info(show)['tokenizer.ggml.tokens']).toBeNull();
    expect(show.template).toBe('{{ .System }} {{ .Prompt }}');
    expect(show.system).toBe('You tell stories.');
    expect(show.parameters).toMatch(/^num_ctx\s+256$/m);
    expect(show.parameters).toMatch(/^stop\s+"<\/s>"$/m);
    expect(show.parameters).toMatch(/^stop\s+"User:"$/m);
    expect(show.capabilities).toEqual(['completion']);
    const modelfile = parseModelfile(show.modelfile);
    expect(modelfile.from).toBe(server.store.blobPath(DIGEST));
    expect(modelfile.parameters).toEqual({
      temperature: 0.5,
      stop: ['</s>', 'User:'],
      num_ctx: 256
    });
    expect(modelfile.system).toBe('You tell stories.');

    const verbose = await ollama.show({ model: 'stories-test', verbose: true } as Parameters<
      Ollama['show']
    >[0]);
    expect(info(verbose)['tokenizer.ggml.tokens']).toHaveLength(512);

    const resolved = await server.store.resolve('stories-test');
    expect(resolved.modelPath).toBe(server.store.blobPath(DIGEST));
    expect(resolved.parameters.stop).toEqual(['</s>', 'User:']);
  });

  it('derives a model from another with `from`, merging parameters, and answers stream:false with one object', async () => {
    const res = await post('/api/create', {
      model: 'teller',
      from: 'stories-test',
      system: 'Be brief.',
      parameters: { temperature: 0.1 },
      stream: false,
      unknown_field: 1
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ status: 'success' });
    const show = await ollama.show({ model: 'teller:latest' });
    expect(show.system).toBe('Be brief.');
    expect(show.template).toBe('{{ .System }} {{ .Prompt }}');
    expect(show.parameters).toMatch(/^temperature\s+0\.1$/m);
    expect(show.parameters).toMatch(/^num_ctx\s+256$/m);
  });

  it('answers bad create requests with 400/404 and lists nothing new', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ files: { 'a.gguf': DIGEST } }, 400, /model is required/],
      [{ model: 'x', from: 'no-such-model' }, 404, /not found/],
      [{ model: 'x' }, 400, /neither 'from' or 'files'/],
      [
        { model: 'x', files: { 'a.gguf': `sha256:${'0'.repeat(64)}` } },
        400,
        /not found .*upload it/
      ],
      [
        { model: 'x', from: 'stories-test', parameters: { temperature: 'hot' } },
        400,
        /temperature/
      ],
      [
        { model: 'x', from: 'stories-test', parameters: { nonsense: 1 } },
        400,
        /unknown parameter 'nonsense'/
      ],
      [{ model: 'bad name!', from: 'stories-test' }, 400, /invalid model name/],
      [{ model: 'x', from: 'stories-test', quantize: 'q4_0' }, 400, /quantize/]
    ];
    for (const [body, status, message] of cases) {
      const res = await post('/api/create', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await res.json()).error).toMatch(message);
    }
    expect((await ollama.list()).models.map((m) => m.name).sort()).toEqual([
      'stories-test:latest',
      'teller:latest'
    ]);
  });

  it('refuses a blob that is not a GGUF model, or a truncated one, with a clear 400', async () => {
    const junk = Buffer.from('PK\u0003\u0004 this is a zip file, not a model');
    expect((await upload(junk)).status).toBe(201);
    const truncated = storiesBytes.subarray(0, 2000);
    expect((await upload(truncated)).status).toBe(201);
    for (const bytes of [junk, truncated]) {
      const res = await post('/api/create', {
        model: 'corrupt',
        files: { 'model.gguf': `sha256:${sha256Hex(bytes)}` }
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/invalid model file/);
    }
    await expect(ollama.show({ model: 'corrupt' })).rejects.toThrow(/not found/);
    expect((await ollama.list()).models.some((m) => m.name.startsWith('corrupt'))).toBe(false);
  });
});

describe('copy, delete, prune', () => {
  it('copies, deletes (model or legacy name) and prunes blobs nobody references', async () => {
    await ollama.copy({ source: 'stories-test', destination: 'copy-of-stories:v1' });
    const names = (await ollama.list()).models.map((m) => m.name);
    expect(names).toContain('copy-of-stories:v1');
    await expect(ollama.copy({ source: 'missing', destination: 'x' })).rejects.toThrow(
      /model 'missing' not found/
    );

    await ollama.delete({ model: 'copy-of-stories:v1' }); // the client sends the legacy `name`
    expect(await fs.stat(server.store.blobPath(DIGEST))).toBeTruthy();
    const res = await post('/api/delete', { model: 'stories-test' }, 'DELETE');
    expect(res.status).toBe(200);
    // teller still references the GGUF blob.
    expect(await fs.stat(server.store.blobPath(DIGEST))).toBeTruthy();

    const missing = await post('/api/delete', { model: 'stories-test' }, 'DELETE');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "model 'stories-test' not found" });

    await ollama.delete({ model: 'teller' });
    expect((await ollama.list()).models).toEqual([]);
    expect(await fs.readdir(path.join(server.root, 'blobs'))).toEqual([]);
    expect(await fs.readdir(path.join(server.root, 'manifests'))).toEqual([]);
  });
});

describe('request framing', () => {
  it('answers malformed JSON, missing names and unknown models like Ollama', async () => {
    const bad = await fetch(`${server.url}/api/show`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": '
    });
    expect(bad.status).toBe(400);
    expect(typeof (await bad.json()).error).toBe('string');
    const empty = await post('/api/show', {});
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: 'model is required' });
    const unknown = await post('/api/show', { name: 'nope' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "model 'nope' not found" });
    const wrongType = await post('/api/pull', { model: 42 });
    expect(wrongType.status).toBe(400);
  });

  it('reads a curl -d body (form-urlencoded) as JSON', async () => {
    const res = await fetch(`${server.url}/api/show`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"model":"nope"}'
    });
    expect(res.status).toBe(404);
  });
});
