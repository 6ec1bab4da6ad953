/**
 * One Hearth server pulling from another over loopback through the /v2/ registry
 * routes, including a download cut halfway (resumed with a Range request) and a
 * partial file left by an earlier run.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../server/store/layout';
import type { ProgressResponse } from '#protocol/ollama/types';
import { STORIES, STORIES_DIGEST as DIGEST, STORIES_SHA256, modelInfo as info } from './fixtures';
import { startModelServer, type ModelServer } from './model-routes-app';

/**
 * Forwards to the source server, but the first full download of the GGUF blob is cut
 * after `cutAt` bytes by destroying the socket. Records every Range header it sees.
 */
async function startFlakyProxy(target: string, cutAt: number) {
  const ranges: (string | undefined)[] = [];
  let cut = false;
  const server = http.createServer(async (req, res) => {
    const isModelBlob = req.url?.includes(`/blobs/${DIGEST}`);
    if (isModelBlob) ranges.push(req.headers.range);
    const upstream = await fetch(target + req.url, {
      method: req.method,
      headers: req.headers.range ? { range: req.headers.range } : {}
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    const headers: Record<string, string> = {};
    upstream.headers.forEach((value, key) => (headers[key] = value));
    res.writeHead(upstream.status, headers);
    if (isModelBlob && !req.headers.range && !cut) {
      cut = true;
      res.write(body.subarray(0, cutAt), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    host: `127.0.0.1:${address.port}`,
    ranges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  };
}

let source: ModelServer;
let sourceManifestDigest: string;
const others: { close(): Promise<void> }[] = [];

async function pullLines(
  url: string,
  body: unknown
): Promise<{ status: number; lines: (ProgressResponse & { error?: string })[] }> {
  const res = await fetch(`${url}/api/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });
  const text = await res.text();
  return {
    status: res.status,
    lines: text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ProgressResponse & { error?: string })
  };
}

beforeAll(async () => {
  source = await startModelServer('hearth-pull-');
  const bytes = await fs.readFile(STORIES);
  const up = await fetch(`${source.url}/api/blobs/${DIGEST}`, { method: 'POST', body: bytes });
  expect(up.status).toBe(201);
  const files = { files: { 'stories260K.gguf': DIGEST } };
  await new Ollama({ host: source.url }).create({
    model: 'stories',
    ...files,
    system: 'Tell a story.',
    parameters: { temperature: 0.2 }
  });
  sourceManifestDigest = (await new Ollama({ host: source.url }).list()).models[0].digest;
});

afterAll(async () => {
  for (const s of others) await s.close();
  await source.close();
});

describe('registry routes', () => {
  it('serve manifests and blobs with Range support', async () => {
    expect((await fetch(`${source.url}/v2/`)).status).toBe(200);
    const manifest = await fetch(`${source.url}/v2/library/stories/manifests/latest`);
    expect(manifest.headers.get('content-type')).toBe(
      'application/vnd.docker.distribution.manifest.v2+json'
    );
    expect(sha256Hex(Buffer.from(await manifest.arrayBuffer()))).toBe(sourceManifestDigest);
    expect((await fetch(`${source.url}/v2/library/nope/manifests/latest`)).status).toBe(404);

    const blobUrl = `${source.url}/v2/library/stories/blobs/${DIGEST}`;
    const head = await fetch(blobUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1185472');
    const part = await fetch(blobUrl, { headers: { range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-3/1185472');
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('GGUF');
    const tail = await fetch(blobUrl, { headers: { range: 'bytes=1185470-' } });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(2);
    expect((await fetch(blobUrl, { headers: { range: 'bytes=2000000-' } })).status).toBe(416);
    expect(
      (await fetch(`${source.url}/v2/library/stories/blobs/sha256:${'1'.repeat(64)}`)).status
    ).toBe(404);
  });
});

describe('pull between two servers', () => {
  it('pulls with progress lines and the same manifest digest, with the ollama client too', async () => {
    const target = await startModelServer('hearth-pull-');
    others.push(target);
    const name = `http://${source.host}/library/stories:latest`;
    const { status, lines } = await pullLines(target.url, { model: name });
    expect(status).toBe(200);
    const statuses = lines.map((l) => l.status);
    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.slice(-3)).toEqual(['verifying sha256 digest', 'writing manifest', 'success']);
    const model = lines.filter((l) => l.digest === DIGEST);
    expect(model[0].status).toBe(`pulling ${STORIES_SHA256.slice(0, 12)}`);
    expect(model.at(-1)).toMatchObject({ total: 1185472, completed: 1185472 });

    const listed = (await new Ollama({ host: target.url }).list()).models;
    expect(listed.map((m) => [m.name, m.digest])).toEqual([
      [`${source.host}/library/stories:latest`, sourceManifestDigest]
    ]);
    const show = await new Ollama({ host: target.url }).show({
      model: `${source.host}/library/stories`
    });
    expect(show.system).toBe('Tell a story.');
    expect(info(show)['general.architecture']).toBe('llama');
    expect(sha256Hex(await fs.readFile(target.store.blobPath(DIGEST)))).toBe(STORIES_SHA256);

    // Pulling again reuses every blob; the official client sends the legacy `name` field.
    const again: string[] = [];
    const stream = await new Ollama({ host: target.url }).pull({
      model: `${source.host}/library/stories`,
      insecure: true,
      stream: true
    });
    for await (const part of stream) again.push(part.status);
    expect(again.at(-1)).toBe('success');
  });

  it('answers an unknown model or unreachable registry with an error and writes nothing', async () => {
    const target = await startModelServer('hearth-pull-');
    others.push(target);
    const res = await fetch(`${target.url}/api/pull`, {
      method: 'POST',
      body: JSON.stringify({ model: `${source.host}/library/nope` })
    });
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatch(/not found/);
    const dead = await fetch(`${target.url}/api/pull`, {
      method: 'POST',
      body: JSON.stringify({ model: '127.0.0.1:1/library/x', stream: false })
    });
    expect(dead.status).toBe(502);
    expect((await new Ollama({ host: target.url }).list()).models).toEqual([]);
  });

  it('resumes a download cut halfway with a Range request and verifies it', async () => {
    const proxy = await startFlakyProxy(source.url, 600_000);
    others.push(proxy);
    const target = await startModelServer('hearth-pull-');
    others.push(target);
    const { lines } = await pullLines(target.url, {
      model: `${proxy.host}/library/stories:latest`
    });
    expect(lines.at(-1)).toEqual({ status: 'success' });
    expect(proxy.ranges[0]).toBeUndefined();
    expect(proxy.ranges[1]).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(proxy.ranges[1]!)![0])).toBeGreaterThan(0);
    expect(sha256Hex(await fs.readFile(target.store.blobPath(DIGEST)))).toBe(STORIES_SHA256);
    await expect(fs.stat(`${target.store.blobPath(DIGEST)}-partial`)).rejects.toThrow();
  });

  it('resumes from a partial file left by an earlier run, and discards a corrupt one', async () => {
    const bytes = await fs.readFile(STORIES);
    const target = await startModelServer('hearth-pull-');
    others.push(target);
    const partial = `${target.store.blobPath(DIGEST)}-partial`;
    await fs.writeFile(partial, bytes.subarray(0, 500_000));
    const proxy = await startFlakyProxy(source.url, 0);
    others.push(proxy);
    const { lines } = await pullLines(target.url, { model: `${proxy.host}/library/stories` });
    expect(lines.at(-1)).toEqual({ status: 'success' });
    expect(proxy.ranges).toEqual(['bytes=500000-']);
    expect(lines.find((l) => l.digest === DIGEST)?.completed).toBe(500_000);

    // A partial with wrong bytes fails verification, is removed, and the next pull works.
    const other = await startModelServer('hearth-pull-');
    others.push(other);
    const bad = Buffer.from(bytes.subarray(0, 500_000));
    bad[1000] ^= 0xff;
    await fs.writeFile(`${other.store.blobPath(DIGEST)}-partial`, bad);
    const failed = await pullLines(other.url, { model: `${source.host}/library/stories` });
    expect(failed.lines.at(-1)?.error).toMatch(/digest mismatch/);
    expect((await new Ollama({ host: other.url }).list()).models).toEqual([]);
    await expect(fs.stat(`${other.store.blobPath(DIGEST)}-partial`)).rejects.toThrow();
    const retried = await pullLines(other.url, { model: `${source.host}/library/stories` });
    expect(retried.lines.at(-1)).toEqual({ status: 'success' });
  });
});
