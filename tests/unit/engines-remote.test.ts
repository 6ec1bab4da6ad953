/**
 * RemoteEngine against a tiny local HTTP server that replies with canned NDJSON. This
 * checks framing, headers and error handling at the HTTP boundary — not model answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteEngine } from '../../src/lib/engines/remote';
import { ApiError } from '#protocol/client';
import { EngineError } from '../../src/lib/engines/engine';
import { StreamError } from '#protocol/stream';
import { listenLocal, type LocalServer } from './helpers/http';
import { remoteModel } from './helpers/models';

interface Seen {
  path: string;
  auth: string | undefined;
  body: Record<string, unknown>;
}

const seen: Seen[] = [];
let server: LocalServer;
let baseUrl: string;

const line = (v: unknown) => JSON.stringify(v) + '\n';

beforeAll(async () => {
  server = await listenLocal((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      const ndjson = () => res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (req.url === '/api/show') {
        if (body.model === 'missing')
          return res.writeHead(404).end(line({ error: "model 'missing' not found" }));
        return res.writeHead(200).end(JSON.stringify({ modelfile: '', details: {} }));
      }
      if (req.url === '/api/chat' && body.model === 'broken') {
        ndjson();
        res.write(
          line({
            model: 'broken',
            created_at: 't',
            message: { role: 'assistant', content: 'Hel' },
            done: false
          })
        );
        res.end(line({ error: 'llama runner process has terminated' }));
        return;
      }
      if (req.url === '/api/chat') {
        ndjson();
        // One JSON object split across writes, and two objects in one write.
        const first = line({
          model: body.model,
          created_at: 't',
          message: { role: 'assistant', content: 'Hel' },
          done: false
        });
        res.write(first.slice(0, 10));
        setTimeout(() => {
          res.write(
            first.slice(10) +
              line({
                model: body.model,
                created_at: 't',
                message: { role: 'assistant', content: 'lo' },
                done: false
              })
          );
          res.end(
            line({
              model: body.model,
              created_at: 't',
              message: { role: 'assistant', content: '' },
              done: true,
              done_reason: 'stop',
              eval_count: 2,
              eval_duration: 1000
            })
          );
        }, 20);
        return;
      }
      if (req.url === '/api/generate') {
        ndjson();
        res.write(line({ model: body.model, created_at: 't', response: 'a', done: false }));
        // Never ends on its own: the client must be able to stop it.
        return;
      }
      if (req.url === '/api/embed') {
        if (req.headers.authorization !== 'Bearer secret') {
          return res.writeHead(401).end(JSON.stringify({ error: 'invalid API key' }));
        }
        return res
          .writeHead(200)
          .end(JSON.stringify({ model: body.model, embeddings: [[0.1, 0.2]] }));
      }
      res.writeHead(404).end();
    });
  });
  baseUrl = `${server.url}/`;
});

afterAll(() => server.close());

const model = remoteModel;

describe('RemoteEngine', () => {
  it('streams /api/chat NDJSON chunk by chunk, with the bearer token', async () => {
    const engine = new RemoteEngine({ baseUrl, token: 'secret' });
    await engine.load(model('remote:llama3'), () => undefined);
    const chunks = [];
    for await (const c of engine.chat({
      model: 'remote:llama3',
      messages: [{ role: 'user', content: 'hi' }]
    })) {
      chunks.push(c);
    }
    expect(chunks.map((c) => c.message.content)).toEqual(['Hel', 'lo', '']);
    expect(chunks.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 2 });
    const chat = seen.find((s) => s.path === '/api/chat')!;
    expect(chat.auth).toBe('Bearer secret');
    expect(chat.body).toMatchObject({ model: 'llama3', stream: true });
    expect(engine.info()).toMatchObject({ kind: 'remote', modelId: 'remote:llama3' });
  });

  it('throws a StreamError for an {"error"} line mid-stream, after the chunks before it', async () => {
    const engine = new RemoteEngine({ baseUrl });
    const got: string[] = [];
    await expect(async () => {
      for await (const c of engine.chat({ model: 'broken', messages: [] }))
        got.push(c.message.content);
    }).rejects.toThrow(new StreamError('llama runner process has terminated'));
    expect(got).toEqual(['Hel']);
  });

  it('reports a model the server lacks as not-downloaded', async () => {
    const engine = new RemoteEngine({ baseUrl });
    const error = await engine.load(model('missing'), () => undefined).catch((e) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('not-downloaded');
    expect(error.message).toContain("model 'missing' not found");
  });

  it('surfaces HTTP refusals with the server’s error text', async () => {
    const engine = new RemoteEngine({ baseUrl, token: 'wrong' });
    const error = await engine.embed({ model: 'e', input: 'x' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.message).toBe('invalid API key');
    const ok = await new RemoteEngine({ baseUrl, token: 'secret' }).embed({
      model: 'e',
      input: 'x'
    });
    expect(ok.embeddings).toEqual([[0.1, 0.2]]);
  });

  it('stops a stream on abort and ends it with done_reason "abort"', async () => {
    const engine = new RemoteEngine({ baseUrl });
    const controller = new AbortController();
    const chunks = [];
    for await (const c of engine.generate({ model: 'g', prompt: 'x' }, controller.signal)) {
      chunks.push(c);
      if (!c.done) controller.abort();
    }
    expect(chunks.map((c) => [c.response, c.done, c.done_reason])).toEqual([
      ['a', false, undefined],
      ['', true, 'abort']
    ]);
  });

  it('says which server it cannot reach', async () => {
    const engine = new RemoteEngine({ baseUrl: 'http://127.0.0.1:9' });
    await expect(engine.embed({ model: 'e', input: 'x' })).rejects.toThrow(
      'Cannot reach http://127.0.0.1:9'
    );
  });
});
