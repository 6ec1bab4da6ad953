// Runs the server with one libuv worker thread unless the operator chose otherwise.
//
// node-llama-cpp decodes on libuv's thread pool, and every pool thread that calls into
// llama.cpp gets its own OpenMP team; with the default four, decodes hop between threads
// and the idle teams spin against the working one. On 2 cores at 2 threads that cost 60%
// of decode speed (110M q4_0: 60 → 150 tokens/s with one pool thread, four parallel
// streams 87 → 258). The pool size is read once, when the pool first starts, which is
// before any line of ours runs, so it has to be set for a fresh process: this re-runs the
// current command as a child with UV_THREADPOOL_SIZE=1 and passes signals and the exit
// code through. The cost: file reads share that one thread with decoding, so a long
// prompt can delay static files; UV_THREADPOOL_SIZE=4 restores the old trade.
import { spawn } from 'node:child_process';

/** True when this process handed over to a child (the caller must then do nothing). */
export function rerunWithOnePoolThread() {
  if (process.env.UV_THREADPOOL_SIZE) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' }
  });
  // Ctrl+C reaches the whole process group, so the child hears it itself; a signal sent to
  // this process alone (systemd, kill) is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on('error', (error) => {
    console.error(`Error: could not start the server process: ${error.message}`);
    process.exit(1);
  });
  return true;
}
