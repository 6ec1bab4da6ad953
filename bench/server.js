#!/usr/bin/env node
// Server benchmark (npm run bench:server). Prints figures and ratios, asserts nothing.
// The reference is llama.cpp itself, built from the source node-llama-cpp ships
// (bench/native-reference.js), measured interleaved with Hearth in the same run:
//  1. Hearth's /api/generate vs llama-server's /completion, one stream, 1 and 2 threads:
//     prefill and decode tokens/s, time to first token; and llama-bench's pure figures.
//  2. Aggregate decode with 1, 2 and 4 parallel streams on one model (4 slots on both),
//     with the spread of per-stream speeds (a starved stream shows as a low minimum).
// Prompt ~128 tokens, 64 generated, greedy; the median of ROUNDS runs. Models are created
// through the API from the GGUF files (blob upload + /api/create), as a user would.
// Hearth runs models in the llama-server it was built with (its llama-server runner) when
// the reference is built, else in-process; BENCH_RUNNER=in-process measures node-llama-cpp.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { llamaBench, nativeTools, startLlamaServer } from './native-reference.js';
import { fmt, printTable, ratio } from './report.js';
import { median, timedHearth, timedLlamaServer } from './stream-timing.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODELS_DIR = path.resolve(ROOT, '..', 'shared', 'models');
const MODELS = [
  { name: 'bench-15m', file: 'synth15M-q8_0.gguf', numCtx: 256 },
  { name: 'bench-110m', file: 'synth110M-q4_0.gguf', numCtx: 512 }
];
const THREADS = [1, 2];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROMPT_TOKENS = 128;
const GENERATE_TOKENS = 64;
const SEED_TEXT =
  'The old lighthouse keeper walked along the rocky shore every morning, counting the boats that came back ' +
  'from the sea and writing their names in a worn leather book that his grandfather had given him. ';
/** About PROMPT_TOKENS tokens for these models' tokenizer (the runs print the real count). */
const PROMPT = SEED_TEXT.repeat(4).slice(0, 560);

function log(line) {
  process.stderr.write(`${line}\n`);
}

async function sha256(file) {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

/** Starts Hearth as `npm start` does, API only, on a free port; resolves with its URL. */
function startHearth(env) {
  const child = spawn(process.execPath, ['scripts/start.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HEARTH_HOST: '127.0.0.1:0',
      HEARTH_SKIP_BUILD: '1',
      OLLAMA_KEEP_ALIVE: '-1',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const stop = () =>
    new Promise((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/listening on (http:\/\/\S+)/);
      if (match) resolve({ url: match[1], stop });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr.trim()}`)));
  });
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
  const response = await fetch(`${url}/api/create`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: model.name,
      files: { [model.file]: digest },
      parameters: { temperature: 0, num_ctx: model.numCtx },
      stream: false
    })
  });
  if (!response.ok) throw new Error(`/api/create: ${response.status} ${await response.text()}`);
}

/** Starts llama-server for each model (or nothing without the reference). */
async function startReferences(tools, threads, parallel) {
  if (!tools.server) return new Map();
  const entries = await Promise.all(
    MODELS.map(async (model) => [
      model.name,
      await startLlamaServer(tools.server, {
        model: path.join(MODELS_DIR, model.file),
        threads,
        parallel,
        ctxPerSlot: model.numCtx
      })
    ])
  );
  return new Map(entries);
}

/** Hearth's runner for this run: llama-server when built, unless BENCH_RUNNER says otherwise. */
function runnerEnv(tools) {
  return tools.server && process.env.BENCH_RUNNER !== 'in-process'
    ? { HEARTH_LLAMA_SERVER: tools.server }
    : { HEARTH_RUNNER: 'in-process' };
}

async function singleStream(tools, modelsDir) {
  const rows = [];
  for (const threads of THREADS) {
    log(`single stream, ${threads} thread(s): starting Hearth and llama-server`);
    const hearth = await startHearth({
      ...runnerEnv(tools),
      HEARTH_MODELS: modelsDir,
      HEARTH_THREADS: String(threads),
      OLLAMA_NUM_PARALLEL: '1'
    });
    const references = await startReferences(tools, threads, 1);
    try {
      for (const model of MODELS) {
        await createModel(hearth.url, model);
        const args = { model: model.name, tokens: GENERATE_TOKENS, numCtx: model.numCtx };
        await timedHearth(hearth.url, { ...args, prompt: 'warm up' });
        const reference = references.get(model.name);
        const ours = [];
        const theirs = [];
        for (let round = 0; round < ROUNDS; round++) {
          // A different first word each round: neither server may reuse a cached prompt.
          const prompt = `${round} ${PROMPT}`;
          ours.push(await timedHearth(hearth.url, { ...args, prompt }));
          if (reference) theirs.push(await timedLlamaServer(reference.url, { ...args, prompt }));
        }
        const native = tools.bench
          ? llamaBench(tools.bench, path.join(MODELS_DIR, model.file), {
              threads,
              promptTokens: PROMPT_TOKENS
            })
          : { prefillTps: NaN, decodeTps: NaN };
        const pick = (runs, key) => (runs.length ? median(runs, key) : NaN);
        const h = { prefill: pick(ours, 'prefillTps'), decode: pick(ours, 'decodeTps') };
        const s = { prefill: pick(theirs, 'prefillTps'), decode: pick(theirs, 'decodeTps') };
        rows.push([
          model.file,
          threads,
          ours[0].promptCount,
          fmt(h.prefill),
          fmt(s.prefill),
          fmt(native.prefillTps),
          ratio(h.prefill, s.prefill),
          ratio(h.prefill, native.prefillTps),
          fmt(h.decode),
          fmt(s.decode),
          fmt(native.decodeTps),
          ratio(h.decode, s.decode),
          ratio(h.decode, native.decodeTps),
          `${fmt(pick(ours, 'ttftMs'))} / ${fmt(pick(theirs, 'ttftMs'))}`
        ]);
      }
    } finally {
      await hearth.stop();
      await Promise.all([...references.values()].map((r) => r.stop()));
    }
  }
  printTable(
    `One stream: Hearth /api/generate vs llama-server /completion vs llama-bench (median of ${ROUNDS}; tokens/s)`,
    [
      'model',
      'thr',
      'prompt',
      'prefill Hearth',
      'llama-server',
      'native',
      'H/server',
      'H/native',
      'decode Hearth',
      'llama-server',
      'native',
      'H/server',
      'H/native',
      'TTFT ms H / server'
    ],
    rows
  );
}

/** Aggregate decode over `streams` concurrent requests, and the per-stream spread. */
async function parallelRound(run, streams) {
  const prompts = Array.from({ length: streams }, (_, i) => `${i} ${SEED_TEXT.repeat(2)}`);
  const runs = await Promise.all(prompts.map((prompt) => run(prompt)));
  const firstToken = Math.min(...runs.map((r) => r.firstAt));
  const end = Math.max(...runs.map((r) => r.endedAt));
  const tokens = runs.reduce((sum, r) => sum + r.evalCount - 1, 0);
  const perStream = runs.map((r) => r.decodeTps);
  return {
    aggregate: tokens / ((end - firstToken) / 1000),
    min: Math.min(...perStream),
    max: Math.max(...perStream)
  };
}

async function parallelStreams(tools, modelsDir) {
  const rows = [];
  const model = MODELS[1];
  for (const threads of THREADS) {
    log(`parallel streams, ${threads} thread(s): starting Hearth and llama-server with 4 slots`);
    const hearth = await startHearth({
      ...runnerEnv(tools),
      HEARTH_MODELS: modelsDir,
      HEARTH_THREADS: String(threads),
      OLLAMA_NUM_PARALLEL: '4'
    });
    const references = await startReferences(tools, threads, 4);
    const reference = references.get(model.name);
    try {
      const args = { model: model.name, tokens: GENERATE_TOKENS, numCtx: model.numCtx };
      await timedHearth(hearth.url, { ...args, prompt: 'warm up' });
      const ours = (prompt) => timedHearth(hearth.url, { ...args, prompt });
      const theirs = (prompt) => timedLlamaServer(reference.url, { ...args, prompt });
      const results = {};
      for (let round = 0; round < ROUNDS; round++)
        for (const streams of [1, 2, 4])
          for (const [who, run] of reference
            ? [
                ['H', ours],
                ['S', theirs]
              ]
            : [['H', ours]])
            (results[`${who}${streams}`] ??= []).push(await parallelRound(run, streams));
      const summary = (key) => {
        const runs = results[key] ?? [];
        return runs.length
          ? {
              aggregate: median(runs, 'aggregate'),
              min: median(runs, 'min'),
              max: median(runs, 'max')
            }
          : { aggregate: NaN, min: NaN, max: NaN };
      };
      for (const streams of [1, 2, 4]) {
        const h = summary(`H${streams}`);
        const s = summary(`S${streams}`);
        rows.push([
          model.file,
          threads,
          streams,
          fmt(h.aggregate),
          fmt(s.aggregate),
          ratio(h.aggregate, s.aggregate),
          ratio(h.aggregate, summary('H1').aggregate),
          ratio(s.aggregate, summary('S1').aggregate),
          `${fmt(h.min)}–${fmt(h.max)}`,
          `${fmt(s.min)}–${fmt(s.max)}`
        ]);
      }
    } finally {
      await hearth.stop();
      await Promise.all([...references.values()].map((r) => r.stop()));
    }
  }
  printTable(
    `Parallel streams, 4 slots (median of ${ROUNDS}; aggregate decode tokens/s)`,
    [
      'model',
      'thr',
      'streams',
      'Hearth',
      'llama-server',
      'H/server',
      'Hearth vs 1 stream',
      'server vs 1 stream',
      'Hearth per-stream',
      'server per-stream'
    ],
    rows
  );
}

async function main() {
  const began = performance.now();
  const tools = nativeTools();
  if (tools.missing)
    log(`No llama.cpp reference (${tools.missing}): Hearth's own figures only, no ratios.`);
  else log(`Reference: llama.cpp ${tools.commit}, built from node-llama-cpp's bundled source.`);
  const runner = runnerEnv(tools).HEARTH_LLAMA_SERVER ? 'llama-server' : 'in-process';
  console.log(`Hearth's runner: ${runner}`);
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-'));
  try {
    await singleStream(tools, modelsDir);
    await parallelStreams(tools, modelsDir);
    console.log(
      `\n${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}; load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}; total ${fmt((performance.now() - began) / 1000)} s`
    );
  } finally {
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`Error: ${error.message}`);
  process.exit(1);
});
