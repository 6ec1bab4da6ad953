// llama.cpp's own tools as the benches' reference: `llama-server` and `llama-bench`, built
// from the llama.cpp source that node-llama-cpp ships as a git bundle, so the reference runs
// exactly the code Hearth runs. Built once (minutes) into a cache outside the repository
// (HEARTH_CACHE, default ~/.cache/hearth) by the same code as `hearth runner build`.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import {
  buildLlamaCppTools,
  bundledLlamaCppCommit,
  ToolchainMissingError
} from '../server/runtime/llama-server-build.ts';

/**
 * Paths of llama-server and llama-bench, building them first when needed; or
 * `{ missing }` saying why there is no reference (no bundle, no cmake, no compiler).
 */
export function nativeTools() {
  try {
    const [server, bench] = buildLlamaCppTools(['llama-server', 'llama-bench']);
    return { commit: bundledLlamaCppCommit(), server, bench };
  } catch (error) {
    if (error instanceof ToolchainMissingError) return { missing: error.message };
    throw error;
  }
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
