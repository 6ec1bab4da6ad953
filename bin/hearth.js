#!/usr/bin/env node
// Entry of the `hearth` command: the CLI is TypeScript, loaded through tsx so that no
// separate compile step sits between a checkout and a working command.
import { register } from 'tsx/esm/api';
import { rerunWithOnePoolThread } from '../scripts/thread-pool.js';

const serving = process.argv[2] === 'serve' || process.argv[2] === 'start';
if (serving && rerunWithOnePoolThread()) await new Promise(() => {}); // the child serves

register();
const { runCli } = await import('../server/cli/main.ts');
const code = await runCli(process.argv.slice(2));
// `serve` keeps running until a signal; every other command is done here.
if (!serving) process.exit(code);
else if (code !== 0) process.exit(code);
