// llama.cpp's own tools as the benches' reference: `llama-server` and `llama-bench`, built
// from the llama.cpp source that node-llama-cpp ships as a git bundle, so the reference runs
// exactly the code Hearth runs. Built once (minutes) into a cache outside the repository
// (HEARTH_BENCH_CACHE, default ~/.cache/hearth), reused by later runs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUNDLE = path.join(ROOT, 'node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
const TARGETS = ['llama-server', 'llama-bench'];

function log(line) {
  process.stderr.write(`${line}\n`);
}

function has(command, args = ['--version']) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/**
 * Paths of llama-server and llama-bench, building them first when needed; or
 * `{ missing }` saying why there is no reference (no bundle, no cmake, no compiler).
 */
export function nativeTools() {
  if (!fs.existsSync(BUNDLE)) return { missing: 'node-llama-cpp ships no llama.cpp bundle' };
  if (!has('cmake')) return { missing: 'cmake is not installed' };
  if (!has('c++') && !has('g++')) return { missing: 'no C++ compiler is installed' };
  const commit = execFileSync('git', ['bundle', 'list-heads', BUNDLE], { encoding: 'utf8' })
    .split(/\s+/)[0]
    .slice(0, 7);
  const cache = path.resolve(
    process.env.HEARTH_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'hearth')
  );
  const source = path.join(cache, `llama.cpp-${commit}`);
  const bin = path.join(source, 'build', 'bin');
  const tools = {
    commit,
    server: path.join(bin, 'llama-server'),
    bench: path.join(bin, 'llama-bench')
  };
  if (fs.existsSync(tools.server) && fs.existsSync(tools.bench)) return tools;

  fs.mkdirSync(cache, { recursive: true });
  if (!fs.existsSync(path.join(source, 'CMakeLists.txt'))) {
    log(`native reference: unpacking llama.cpp ${commit} into ${source}`);
    fs.rmSync(source, { recursive: true, force: true });
    execFileSync('git', ['clone', '--quiet', BUNDLE, source], { stdio: 'inherit' });
  }
  log('native reference: building llama-server and llama-bench (once; several minutes)');
  const run = (args) => {
    const result = spawnSync('cmake', args, {
      cwd: source,
      stdio: ['ignore', 'ignore', 'inherit']
    });
    if (result.status !== 0) throw new Error(`cmake ${args.join(' ')} failed`);
  };
  run([
    '-B',
    'build',
    '-DCMAKE_BUILD_TYPE=Release',
    '-DLLAMA_CURL=OFF',
    '-DGGML_NATIVE=ON',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF'
  ]);
  run(['--build', 'build', '-j', String(os.availableParallelism()), '--target', ...TARGETS]);
  return tools;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts llama-server on a GGUF with `parallel` slots of `ctxPerSlot` tokens each and
 * `threads` threads; resolves once /health answers 200.
 */
export async function startLlamaServer(binary, { model, threads, parallel, ctxPerSlot }) {
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '-m',
      model,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '-t',
      String(threads),
      '-tb',
      String(threads),
      '-np',
      String(parallel),
      '-c',
      String(ctxPerSlot * parallel),
      '--no-webui'
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`llama-server exited: ${stderr.trim()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('llama-server did not become healthy in 60 s');
}

/**
 * llama-bench's prefill (pp) and decode (tg) tokens/s for one GGUF: the figures of
 * llama.cpp's own kernels, with no server or HTTP around them.
 */
export function llamaBench(
  binary,
  file,
  { threads, promptTokens, genTokens = 64, repetitions = 3 }
) {
  const out = execFileSync(
    binary,
    [
      '-m',
      file,
      '-t',
      String(threads),
      '-p',
      String(promptTokens),
      '-n',
      String(genTokens),
      '-r',
      String(repetitions)
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }
  );
  // Markdown table rows end with "| pp128 | 1234.56 ± 7.89 |".
  const figure = (test) => {
    const row = out.split('\n').find((line) => new RegExp(`\\|\\s*${test}\\s*\\|`).test(line));
    const match = row && /\|\s*([\d.]+) ± [\d.]+\s*\|\s*$/.exec(row);
    return match ? Number(match[1]) : NaN;
  };
  return { prefillTps: figure(`pp${promptTokens}`), decodeTps: figure(`tg${genTokens}`) };
}
