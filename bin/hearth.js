#!/usr/bin/env node
// Entry of the `hearth` command: the CLI is TypeScript, loaded through tsx so that no
// separate compile step sits between a checkout and a working command.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../server/cli/main.ts');
const code = await runCli(process.argv.slice(2));
// `serve` keeps running until a signal; every other command is done here.
if (process.argv[2] !== 'serve' && process.argv[2] !== 'start') process.exit(code);
else if (code !== 0) process.exit(code);
