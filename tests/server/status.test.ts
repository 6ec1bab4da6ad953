import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { ggufWithKeys } from '../unit/helpers/gguf';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StatusSnapshot } from '#protocol/portal/types';
import { STORIES, createModelFrom } from './fixtures';
import {
  sampleValue,
  startMonitoredServer,
  userFromHeader,
  type MonitoredServer
} from './monitoring-app';

interface EventStream {
  response: http.IncomingMessage;
  /** Resolves with the next `count` data events' payloads. */
  next(count: number): Promise<StatusSnapshot[]>;
  /** Drops the connection, as a closed browser tab does. */
  disconnect(): void;
}

/**
 * Opens an SSE stream with node:http rather than fetch: undici leaves a spare socket
 * behind after an abort, which would hold app.close() until the headers timeout.
 */
async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const request = http.get(url, { headers });
  request.on('error', () => {});
  const response = await new Promise<http.IncomingMessage>((resolve) =>
    request.once('response', resolve)
  );
  response.setEncoding('utf8');
  const events: StatusSnapshot[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      buffer = buffer.slice(end + 2);
      if (data) events.push(JSON.parse(data) as StatusSnapshot);
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  response.on('end', () => waiters.splice(0).forEach((wake) => wake()));
  const stream: EventStream = {
    response,
    async next(count) {
      const target = events.length + count;
      while (events.length < target && !response.complete)
        await new Promise<void>((resolve) => waiters.push(resolve));
      return events.slice(target - count, target);
    },
    disconnect: () => request.destroy()
  };
  return stream;
}

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('status feed', () => {
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer();
    await createModelFrom(server.url, 'stories');
    const generated = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'stories',
        prompt: 'Once upon a time',
        stream: false,
        options: { temperature: 0, num_predict: 8 }
      })
    });
    expect(generated.status).toBe(200);
  });
  afterAll(() => server.close());

  it('answers a snapshot of the scheduler, loaded models, memory and recent activity', async () => {
    const response = await fetch(`${server.url}/api/status`);
    expect(response.status).toBe(200);
    const snapshot = (await response.json()) as StatusSnapshot;
    expect(snapshot.version).toBe('0.1.0');
    expect(snapshot.uptime_s).toBeGreaterThanOrEqual(0);
    expect(snapshot.scheduler).toMatchObject({ activeStreams: 0, queueDepth: 0, numParallel: 1 });
    expect(snapshot.scheduler.models.map((m) => m.name)).toEqual(['stories:latest']);
    expect(snapshot.loaded.map((m) => m.name)).toEqual(['stories:latest']);
    expect(snapshot.memory.rss).toBeGreaterThan(1e6);
    expect(snapshot.tokens_per_second['stories:latest']).toBeGreaterThan(0);
    // blob upload, create, generate (and this request is counted once it has ended)
    expect(snapshot.requests_per_minute).toBeGreaterThanOrEqual(3);
    expect(snapshot.load_average).toHaveLength(3);
    expect(snapshot.failed_loads).toEqual([]);
    // No llama-server built for this server's data folder: models run in-process.
    expect(snapshot.runner).toEqual({ kind: 'in-process', resident_bytes: 0 });
  });

  it('streams snapshots every 2 s and stops its timer when the client goes away', async () => {
    // The server runs in this process: watch the interval the stream handler starts.
    const setSpy = vi.spyOn(globalThis, 'setInterval');
    const clearSpy = vi.spyOn(globalThis, 'clearInterval');
    const started = Date.now();
    const stream = await openEventStream(`${server.url}/api/status/stream`);
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = await stream.next(2);
    expect(events).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(events[1].scheduler.models[0].name).toBe('stories:latest');
    expect(Date.parse(events[1].time)).toBeGreaterThan(Date.parse(events[0].time));
    expect(server.status.openStreams()).toBe(1);
    const timers = setSpy.mock.results.map((result) => result.value as NodeJS.Timeout);
    expect(timers.length).toBeGreaterThanOrEqual(1);

    stream.disconnect();
    await waitFor(() => server.status.openStreams() === 0);
    for (const timer of timers) expect(clearSpy).toHaveBeenCalledWith(timer);
    setSpy.mockRestore();
    clearSpy.mockRestore();
  });

  it('answers HEAD on the stream with headers only, starting no stream', async () => {
    const response = await fetch(`${server.url}/api/status/stream`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(server.status.openStreams()).toBe(0);
  });

  it('ends open streams when the server closes', async () => {
    const other = await startMonitoredServer();
    const stream = await openEventStream(`${other.url}/api/status/stream`);
    const [first] = await stream.next(1);
    expect(first.scheduler.queueDepth).toBe(0);
    await other.close(); // would hang here if the stream kept the connection open
    expect(other.status.openStreams()).toBe(0);
    expect(stream.response.complete).toBe(true);
  });
});

describe('status feed with sign-in on', () => {
  let server: MonitoredServer;
  beforeAll(async () => {
    server = await startMonitoredServer({
      // Stand-in for the auth layer: sign-in on, request.user from a test header.
      beforeRoutes(app, ctx) {
        Object.assign(ctx, { access: { enabled: true } });
        userFromHeader(app, 'x-test-role', (role) => ({ id: 'u', role }));
      }
    });
  });
  afterAll(() => server.close());

  it('is for admins only', async () => {
    const refused = await openEventStream(`${server.url}/api/status/stream`);
    expect(refused.response.statusCode).toBe(401);
    refused.disconnect();
    for (const path of ['/api/status', '/api/status/stream']) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(401);
      const user = await fetch(`${server.url}${path}`, { headers: { 'x-test-role': 'user' } });
      expect(user.status).toBe(403);
    }
    const admin = await fetch(`${server.url}/api/status`, { headers: { 'x-test-role': 'admin' } });
    expect(admin.status).toBe(200);
    expect(server.status.openStreams()).toBe(0);
  });
});

describe('readiness', () => {
  let server: MonitoredServer;
  let brokenFile: string;
  beforeAll(async () => {
    server = await startMonitoredServer();
    // A whole GGUF of an architecture llama.cpp does not know: the store accepts it (every
    // check on the file passes), llama.cpp refuses to load it.
    const blob = await ggufWithKeys(STORIES, { 'general.architecture': 'hearth-unknown' });
    const bytes = Buffer.from(await blob.arrayBuffer());
    brokenFile = path.join(server.modelsDir, 'broken.gguf');
    await fs.writeFile(brokenFile, bytes);
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    await createModelFrom(server.url, 'broken', brokenFile, sha);
  });
  afterAll(() => server.close());

  const ready = async () => {
    const response = await fetch(`${server.url}/api/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is ready with nothing loaded and nothing failed', async () => {
    expect(await ready()).toEqual({
      status: 200,
      body: { status: 'ready', models: { loaded: [], failed: [] } }
    });
  });

  it('reports a model whose load failed, with the error', async () => {
    const response = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'broken', prompt: 'Once upon a time', stream: false })
    });
    expect(response.status).toBe(500);
    const { status, body } = await ready();
    expect(status).toBe(200);
    const models = body.models as { loaded: string[]; failed: { name: string; error: string }[] };
    expect(models.loaded).toEqual([]);
    expect(models.failed).toHaveLength(1);
    expect(models.failed[0].name).toBe('broken:latest');
    expect(models.failed[0].error.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(
      sampleValue(metrics, 'hearth_model_load_failures_total', { model: 'broken:latest' })
    ).toBe(1);
  });

  it('does not count a client mistake as a failed load', async () => {
    const response = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'missing', prompt: 'x', stream: false })
    });
    expect(response.status).toBe(404);
    const { body } = await ready();
    const failed = (body.models as { failed: { name: string }[] }).failed;
    expect(failed.map((f) => f.name)).toEqual(['broken:latest']);
  });

  it('answers 503 once the model store cannot be read', async () => {
    const other = await startMonitoredServer();
    await fs.rm(other.modelsDir, { recursive: true, force: true });
    const response = await fetch(`${other.url}/api/ready`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; error: string };
    expect(body.status).toBe('unavailable');
    expect(body.error).toMatch(/model store is unreadable/);
    await other.close();
  });
});
