/**
 * Builds llama.cpp's own tools (llama-server for the runner; llama-bench for the bench)
 * from the llama.cpp source node-llama-cpp ships as a git bundle, so Hearth runs exactly
 * the llama.cpp revision its in-process runner has, with nothing downloaded. Needs git,
 * cmake and a C++ compiler; takes minutes, once: the source and build stay in a cache
 * folder (HEARTH_CACHE, default ~/.cache/hearth) and a later call only checks them.
 * Static libraries, so the binary can be copied anywhere on this machine (it is built
 * for this CPU: GGML_NATIVE).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BUNDLE = path.join(
  import.meta.dirname,
  '..',
  '..',
  'node_modules',
  'node-llama-cpp',
  'llama',
  'gitRelease.bundle'
);

export class ToolchainMissingError extends Error {}

export function llamaCppCacheDir(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(env.HEARTH_CACHE ?? path.join(os.homedir(), '.cache', 'hearth'));
}

function has(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The first 7 hex digits of the llama.cpp commit node-llama-cpp ships. */
export function bundledLlamaCppCommit(): string {
  if (!fs.existsSync(BUNDLE))
    throw new ToolchainMissingError('node-llama-cpp ships no llama.cpp source bundle');
  if (!has('git')) throw new ToolchainMissingError('git is not installed');
  return execFileSync('git', ['bundle', 'list-heads', BUNDLE], { encoding: 'utf8' })
    .split(/\s+/)[0]
    .slice(0, 7);
}

/** Where `target` is (or will be) once built, without building anything. */
export function llamaCppToolPath(target: string, cacheDir = llamaCppCacheDir()): string {
  return path.join(cacheDir, `llama.cpp-${bundledLlamaCppCommit()}`, 'build-static', 'bin', target);
}

/**
 * Builds the given targets unless they are all there; returns their paths in order.
 * `log` hears progress lines; the compiler's own output goes to a log file beside the build.
 */
export function buildLlamaCppTools(
  targets: string[],
  { cacheDir = llamaCppCacheDir(), log = (line: string) => console.error(line) } = {}
): string[] {
  const paths = targets.map((target) => llamaCppToolPath(target, cacheDir));
  if (paths.every((file) => fs.existsSync(file))) return paths;
  if (!has('cmake')) throw new ToolchainMissingError('cmake is not installed');
  if (!has('c++') && !has('g++')) throw new ToolchainMissingError('no C++ compiler is installed');

  const source = path.join(cacheDir, `llama.cpp-${bundledLlamaCppCommit()}`);
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!fs.existsSync(path.join(source, 'CMakeLists.txt'))) {
    log(`Unpacking node-llama-cpp's llama.cpp source into ${source}`);
    fs.rmSync(source, { recursive: true, force: true });
    execFileSync('git', ['clone', '--quiet', BUNDLE, source], { stdio: 'ignore' });
  }
  // The compiler's thousands of lines go to a file; a failure quotes its end.
  const logFile = path.join(source, 'build-static.log');
  log(`Building ${targets.join(' and ')} (once; several minutes; output in ${logFile})`);
  fs.writeFileSync(logFile, '');
  const cmake = (args: string[]) => {
    const out = fs.openSync(logFile, 'a');
    const result = spawnSync('cmake', args, { cwd: source, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    if (result.status !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      throw new Error(`cmake ${args.join(' ')} failed (full output in ${logFile}):\n${tail}`);
    }
  };
  cmake([
    '-B',
    'build-static',
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DGGML_NATIVE=ON',
    '-DLLAMA_CURL=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF'
  ]);
  cmake([
    '--build',
    'build-static',
    '-j',
    String(os.availableParallelism()),
    '--target',
    ...targets
  ]);
  return paths;
}

/**
 * Builds llama-server and installs it as `destination` (written beside it, then renamed,
 * so a running server never sees half a binary).
 */
export function installLlamaServer(
  destination: string,
  options: Parameters<typeof buildLlamaCppTools>[1] = {}
): string {
  const [built] = buildLlamaCppTools(['llama-server'], options);
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  const partial = `${destination}.partial-${process.pid}`;
  fs.copyFileSync(built, partial);
  fs.chmodSync(partial, 0o755);
  fs.renameSync(partial, destination);
  return destination;
}
