#!/usr/bin/env node
// `npm start`: build the web app when it is missing or older than its sources, then run
// the server in this process (so Ctrl+C reaches its graceful shutdown directly).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { rerunWithOnePoolThread } from './thread-pool.js';

const root = path.resolve(import.meta.dirname, '..');
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

/** Newest modification time under a file or folder (0 when it does not exist). */
function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function buildIsStale(appDir) {
  const index = path.join(appDir, 'index.html');
  if (!fs.existsSync(index)) return 'the web app has not been built yet';
  const built = fs.statSync(index).mtimeMs;
  const changed = SOURCES.find((source) => newestMtime(path.join(root, source)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

if (rerunWithOnePoolThread()) await new Promise(() => {}); // the child serves from here on

const appDir = path.resolve(process.env.HEARTH_APP_DIR ?? path.join(root, 'build'));
const usesOwnBuild = appDir === path.join(root, 'build');
const reason =
  usesOwnBuild && process.env.HEARTH_SKIP_BUILD !== '1' ? buildIsStale(appDir) : undefined;
if (reason) {
  console.log(`Building the web app (${reason})…`);
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      'Error: the web app build failed (see above). Fix it, or set HEARTH_SKIP_BUILD=1 to serve the API only.'
    );
    process.exit(1);
  }
}

register();
const { main } = await import('../server/main.ts');
await main();
