/**
 * The `hearth` command line, shaped like Ollama's: serve, list, ps, show, run, create,
 * cp, rm, pull. Every command but `serve`, `admin`, `keys`, `export`, `import` and `runner` is an
 * HTTP client of a running server (HEARTH_HOST / OLLAMA_HOST, default 127.0.0.1:11434);
 * `admin` and `keys` edit the account database directly, `export` and `import` the models
 * folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CliError, HearthClient } from './client';
import { createModel } from './commands/create';
import {
  copyModel,
  listModels,
  listRunning,
  removeModels,
  showModel,
  type ShowField
} from './commands/models';
import { pullModel } from './commands/pull';
import { runModel } from './commands/run';
import { createAdmin, resetPassword } from './commands/admin';
import { createKey, listKeys, revokeKey } from './commands/keys';
import { exportModels, importModels } from './commands/bundle';
import { checkModel } from './commands/check';
import { buildRunner } from './commands/runner';

function packageVersion(): string {
  const file = path.join(import.meta.dirname, '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

const write = (text: string) => void process.stdout.write(text);

export function buildProgram(client = HearthClient.fromEnv()): Command {
  const program = new Command('hearth')
    .description('Private LLM chat: an Ollama-compatible server and its command line')
    .version(`hearth version is ${packageVersion()}`, '-v, --version', 'Show version information')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .alias('start')
    .description('Start the server (configured by HEARTH_* / OLLAMA_* variables)')
    .action(async () => {
      const { main } = await import('../main');
      await main();
    });

  program
    .command('list')
    .alias('ls')
    .description('List models')
    .action(() => listModels(client, write));

  program
    .command('ps')
    .description('List running models')
    .action(() => listRunning(client, write));

  program
    .command('show')
    .description('Show information for a model')
    .argument('<model>')
    .option('--modelfile', 'Show the Modelfile of a model')
    .option('--parameters', 'Show parameters of a model')
    .option('--template', 'Show the template of a model')
    .option('--system', 'Show the system message of a model')
    .option('--license', 'Show the license of a model')
    .action(async (model: string, flags: Partial<Record<ShowField, boolean>>) => {
      const fields = (Object.keys(flags) as ShowField[]).filter((key) => flags[key]);
      if (fields.length > 1)
        throw new CliError(
          'only one of --license, --modelfile, --parameters, --system, or --template can be specified'
        );
      await showModel(client, model, fields[0], write);
    });

  program
    .command('run')
    .description('Run a model: answer PROMPT and exit, or chat interactively')
    .argument('<model>')
    .argument('[prompt...]')
    .option('--format <format>', 'Response format ("json" or a JSON schema)')
    .option('--keepalive <duration>', 'How long to keep the model loaded (e.g. 5m)')
    .option('--verbose', 'Show timings for the response')
    .option('--insecure', 'Use an insecure registry when the model has to be pulled')
    .action(
      async (
        model: string,
        prompt: string[],
        flags: { format?: string; keepalive?: string; verbose?: boolean; insecure?: boolean }
      ) => {
        await runModel(client, model, prompt, flags);
      }
    );

  program
    .command('create')
    .description('Create a model from a Modelfile')
    .argument('<model>')
    .addOption(new Option('-f, --file <path>', 'Name of the Modelfile').default('Modelfile'))
    .action((model: string, flags: { file: string }) => createModel(client, model, flags.file));

  program
    .command('cp')
    .alias('copy')
    .description('Copy a model')
    .argument('<source>')
    .argument('<destination>')
    .action((source: string, destination: string) => copyModel(client, source, destination, write));

  program
    .command('rm')
    .alias('delete')
    .description('Remove one or more models')
    .argument('<models...>')
    .action((models: string[]) => removeModels(client, models, write));

  program
    .command('pull')
    .description('Pull a model from a registry')
    .argument('<model>')
    .option('--insecure', 'Use an insecure registry')
    .action((model: string, flags: { insecure?: boolean }) =>
      pullModel(client, model, flags.insecure)
    );

  const admin = program
    .command('admin')
    .description('Manage accounts directly in the data folder (works with the server stopped)');
  const passwordOption = () =>
    new Option(
      '--password <password>',
      'The password (otherwise asked twice on a terminal, or read from the first line of stdin)'
    );
  admin
    .command('create')
    .description('Create an administrator account')
    .argument('<username>')
    .addOption(passwordOption())
    .action((username: string, flags: { password?: string }) =>
      createAdmin(username, flags, write)
    );
  admin
    .command('reset-password')
    .description("Set a user's password and sign them out everywhere")
    .argument('<username>')
    .addOption(passwordOption())
    .action((username: string, flags: { password?: string }) =>
      resetPassword(username, flags, write)
    );

  program
    .command('runner')
    .description("llama.cpp's own server, which runs models once built")
    .command('build')
    .description(
      'Build llama-server from the llama.cpp source node-llama-cpp ships and install it for ' +
        '`hearth serve` (needs git, cmake and a C++ compiler; several minutes, once)'
    )
    .action(() => buildRunner(write));

  program
    .command('check')
    .description('Run the deployment self-check against a model (exit code 1 when a check fails)')
    .argument('<model>')
    .option('--json', 'Print the report as JSON, to keep')
    .action(async (model: string, flags: { json?: boolean }) => {
      const passed = await checkModel(
        client,
        model,
        { ...flags, version: packageVersion() },
        write
      );
      if (!passed) throw new CliError(`${model} failed the self-check`);
    });

  const modelsOption = () =>
    new Option('--models <folder>', "Models folder (default: the server's, HEARTH_MODELS)");
  program
    .command('export')
    .description('Write models into one bundle file, for machines with no network')
    .argument('<models...>')
    .requiredOption('-o, --output <file>', 'The bundle file to write')
    .option('--split <size>', 'Write parts of at most this size (4G for FAT32): FILE.001, …')
    .addOption(modelsOption())
    .action((models: string[], flags: { output: string; split?: string; models?: string }) =>
      exportModels(models, { ...flags, version: packageVersion() }, write)
    );
  program
    .command('import')
    .description(
      'Import the models of a bundle (or of its parts), checking every file (resumes when cut)'
    )
    .argument('<file>')
    .addOption(modelsOption())
    .action((file: string, flags: { models?: string }) => importModels(file, flags, write));

  const keys = program
    .command('keys')
    .description('Manage API keys directly in the data folder (no web UI or existing key needed)');
  keys
    .command('create')
    .description('Create an API key for a user and print it (shown only this once)')
    .argument('<name>', 'What the key is for, e.g. "ci" or "laptop"')
    .requiredOption('--user <username>', 'The account the key acts as')
    .action((name: string, flags: { user: string }) => createKey(name, flags.user, write));
  keys
    .command('list')
    .alias('ls')
    .description('List API keys (never their secrets)')
    .option('--user <username>', "Only this user's keys")
    .action((flags: { user?: string }) => listKeys(flags.user, write));
  keys
    .command('revoke')
    .description('Revoke an API key by ID, hk_ prefix, or name (a name needs --user)')
    .argument('<key>', 'ID, hk_ prefix or name of the key')
    .option('--user <username>', 'The account the key belongs to')
    .action((key: string, flags: { user?: string }) => revokeKey(key, flags.user, write));

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so it can be driven in-process. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    const program = buildProgram();
    // Bare `hearth` asks what it can do: help on stdout and success, as `ollama` does.
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help/version or its usage error.
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Error: ${message}\n`);
    if (process.env.HEARTH_DEBUG && error instanceof Error && !(error instanceof CliError)) {
      process.stderr.write(`${error.stack}\n`);
    }
    return 1;
  }
}
