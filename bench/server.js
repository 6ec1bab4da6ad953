#!/usr/bin/env node
// Server overhead benchmark (npm run bench:server). Prints figures, asserts nothing.
//  1. node-llama-cpp called directly vs the same model through /api/generate, at 1 and 2
//     threads: prefill and decode tokens/s, time to first token, and the API/direct ratio.
//  2. Aggregate decode tokens/s with 1, 2 and 4 parallel streams (OLLAMA_NUM_PARALLEL=4).
// Prompt 128 tokens, 64 generated, greedy. The models are created through the API from
// the GGUF files (blob upload + /api/create), as a user would.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODELS_DIR = path.resolve(ROOT, '..', 'shared', 'models');
const MODELS = [
  { name: 'bench-15m', file: 'synth15M-q8_0.gguf', numCtx: 256 },
  { name: 'bench-110m', file: 'synth110M-q4_0.gguf', numCtx: 512 }
];
const PROMPT_TOKENS = 128;
const GENERATE_TOKENS = 64;
const SEED_TEXT =
  'The old lighthouse keeper walked along the rocky shore every morning, counting the boats that came back ' +
  'from the sea and writing their names in a worn leather book that his grandfather had given him. ';

function log(line) {
  process.stderr.write(`${line}\n`);
}

async function sha256(file) {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

/** Starts `server/main.ts` in a child process on a free port; resolves with its URL. */
function startServer(env) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HEARTH_HOST: '127.0.0.1:0', OLLAMA_KEEP_ALIVE: '-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/listening on (http:\/\/\S+)/);
      if (match) resolve({ url: match[1], stop: () => stopChild(child) });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr.trim()}`)));
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function api(url, route, body, method = 'POST') {
  const response = await fetch(url + route, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return response;
}

async function createModel(url, model) {
  const file = path.join(MODELS_DIR, model.file);
  const digest = await sha256(file);
  const head = await fetch(`${url}/api/blobs/${digest}`, { method: 'HEAD' });
  if (!head.ok) {
    const upload = await fetch(`${url}/api/blobs/${digest}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: fs.createReadStream(file),
      duplex: 'half'
    });
    if (!upload.ok) throw new Error(`blob upload: ${upload.status} ${await upload.text()}`);
  }
  await api(url, '/api/create', {
    model: model.name,
    files: { [model.file]: digest },
    parameters: { temperature: 0, num_ctx: model.numCtx },
    stream: false
  });
}

/** One streamed /api/generate, timed from the client's side. */
async function timedGenerate(url, model, prompt) {
  const started = performance.now();
  const response = await api(url, '/api/generate', {
    model,
    prompt,
    raw: true,
    stream: true,
    options: {
      num_predict: GENERATE_TOKENS,
      temperature: 0,
      num_ctx: MODELS.find((m) => m.name === model).numCtx
    }
  });
  let firstAt;
  let chunks = 0;
  let final;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.trim()) continue;
      const chunk = JSON.parse(line);
      if (chunk.error) throw new Error(chunk.error);
      if (!chunk.done) {
        chunks++;
        firstAt ??= performance.now();
      } else final = chunk;
    }
  }
  const endedAt = performance.now();
  const evalCount = final?.eval_count ?? chunks;
  return {
    started,
    firstAt,
    endedAt,
    ttftMs: firstAt - started,
    promptCount: final?.prompt_eval_count ?? 0,
    evalCount,
    prefillTps: (final?.prompt_eval_count ?? 0) / ((firstAt - started) / 1000),
    decodeTps: (evalCount - 1) / ((endedAt - firstAt) / 1000),
    serverPrefillTps: final?.prompt_eval_duration
      ? final.prompt_eval_count / (final.prompt_eval_duration / 1e9)
      : NaN,
    serverDecodeTps: final?.eval_duration ? final.eval_count / (final.eval_duration / 1e9) : NaN
  };
}

/** The same measurement with node-llama-cpp in this process, no HTTP in between. */
async function directRun(llama, model, threads) {
  const loaded = await llama.loadModel({
    modelPath: path.join(MODELS_DIR, model.file),
    gpuLayers: 0
  });
  const context = await loaded.createContext({ contextSize: model.numCtx, threads, sequences: 1 });
  const sequence = context.getSequence();
  const body = loaded.tokenize(SEED_TEXT.repeat(20)).slice(0, PROMPT_TOKENS - 1);
  const tokens = [loaded.tokens.bos, ...body];
  const measure = async (limit) => {
    await sequence.clearHistory();
    const started = performance.now();
    let firstAt;
    let count = 0;
    for await (const _token of sequence.evaluate(tokens, { temperature: 0 })) {
      firstAt ??= performance.now();
      if (++count >= limit) break;
    }
    const endedAt = performance.now();
    return {
      ttftMs: firstAt - started,
      prefillTps: tokens.length / ((firstAt - started) / 1000),
      decodeTps: (count - 1) / ((endedAt - firstAt) / 1000)
    };
  };
  await measure(2); // warm-up
  const result = await measure(GENERATE_TOKENS);
  const promptText = loaded.detokenize(body);
  await context.dispose();
  await loaded.dispose();
  return { ...result, promptText };
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function printTable(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main() {
  const began = performance.now();
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-'));
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    maxThreads: 2,
    logLevel: LlamaLogLevel.error
  });
  const overheadRows = [];
  try {
    for (const threads of [1, 2]) {
      log(`threads=${threads}: starting server`);
      const server = await startServer({
        HEARTH_MODELS: modelsDir,
        HEARTH_THREADS: String(threads),
        OLLAMA_NUM_PARALLEL: '1'
      });
      try {
        for (const model of MODELS) {
          if (threads === 1) await createModel(server.url, model);
          log(`threads=${threads} ${model.file}: direct`);
          const direct = await directRun(llama, model, threads);
          log(`threads=${threads} ${model.file}: API`);
          await timedGenerate(server.url, model.name, 'warm up'); // load + warm
          const viaApi = await timedGenerate(server.url, model.name, direct.promptText);
          overheadRows.push([
            model.file,
            threads,
            viaApi.promptCount,
            fmt(direct.prefillTps),
            fmt(viaApi.prefillTps),
            fmt(viaApi.prefillTps / direct.prefillTps, 2),
            fmt(direct.decodeTps),
            fmt(viaApi.decodeTps),
            fmt(viaApi.decodeTps / direct.decodeTps, 2),
            fmt(direct.ttftMs),
            fmt(viaApi.ttftMs),
            `${fmt(viaApi.serverPrefillTps)} / ${fmt(viaApi.serverDecodeTps)}`
          ]);
        }
      } finally {
        await server.stop();
      }
    }
    printTable(
      `Direct node-llama-cpp vs /api/generate (prompt ${PROMPT_TOKENS}, generate ${GENERATE_TOKENS}, greedy; tokens/s, ms)`,
      [
        'model',
        'thr',
        'prompt',
        'prefill direct',
        'prefill API',
        'ratio',
        'decode direct',
        'decode API',
        'ratio',
        'TTFT direct',
        'TTFT API',
        'server-reported p/d'
      ],
      overheadRows
    );

    log('parallel streams: starting server with OLLAMA_NUM_PARALLEL=4');
    const server = await startServer({
      HEARTH_MODELS: modelsDir,
      HEARTH_THREADS: '1',
      OLLAMA_NUM_PARALLEL: '4'
    });
    const parallelRows = [];
    try {
      for (const model of MODELS) {
        await timedGenerate(server.url, model.name, 'warm up');
        for (const streams of [1, 2, 4]) {
          log(`${model.file}: ${streams} stream(s)`);
          const prompts = Array.from({ length: streams }, (_, i) => `${i} ${SEED_TEXT.repeat(4)}`);
          const runs = await Promise.all(
            prompts.map((p) => timedGenerate(server.url, model.name, p))
          );
          const firstToken = Math.min(...runs.map((r) => r.firstAt));
          const end = Math.max(...runs.map((r) => r.endedAt));
          const tokens = runs.reduce((sum, r) => sum + r.evalCount - 1, 0);
          parallelRows.push([
            model.file,
            streams,
            fmt(tokens / ((end - firstToken) / 1000)),
            fmt(runs.reduce((s, r) => s + r.decodeTps, 0) / streams),
            fmt(runs.reduce((s, r) => s + r.ttftMs, 0) / streams),
            fmt(Math.max(...runs.map((r) => r.ttftMs)))
          ]);
        }
      }
    } finally {
      await server.stop();
    }
    printTable(
      'Parallel streams through /api/generate (1 thread, OLLAMA_NUM_PARALLEL=4)',
      [
        'model',
        'streams',
        'aggregate decode t/s',
        'per-stream decode t/s',
        'mean TTFT ms',
        'max TTFT ms'
      ],
      parallelRows
    );
    console.log(
      `\n${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}; total ${fmt((performance.now() - began) / 1000)} s`
    );
  } finally {
    await llama.dispose();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`Error: ${error.message}`);
  process.exit(1);
});
