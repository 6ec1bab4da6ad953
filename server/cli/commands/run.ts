/**
 * `hearth run MODEL [PROMPT]`: with a prompt (or piped stdin) streams one answer and
 * exits; otherwise opens a chat in the terminal (see repl.ts). A model the server does
 * not have is pulled first, with progress, as `ollama run` does.
 */
import type { GenerateRequest, GenerateResponse, Options } from '#protocol/ollama/types';
import { CliError, type HearthClient } from '../client';
import { formatMetrics, withPullHint } from './answers';
import { pullModel } from './pull';
import { chatRepl } from './repl';

export interface RunOptions {
  format?: string;
  keepalive?: string;
  verbose?: boolean;
  /** Pull over plain http when the model is missing. */
  insecure?: boolean;
  options?: Options;
}

/** Makes sure the server has the model, pulling it when it answers 404. */
async function ensureModel(client: HearthClient, model: string, insecure = false): Promise<void> {
  try {
    await client.json('POST', '/api/show', { model });
    return;
  } catch (error) {
    if (!(error instanceof CliError && error.status === 404)) throw error;
  }
  await pullModel(client, model, insecure);
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function requestExtras(options: RunOptions): Partial<GenerateRequest> {
  const extras: Partial<GenerateRequest> = {};
  if (options.format)
    extras.format = options.format === 'json' ? 'json' : JSON.parse(options.format);
  if (options.keepalive) extras.keep_alive = options.keepalive;
  if (options.options) extras.options = options.options;
  return extras;
}

async function generateOnce(
  client: HearthClient,
  model: string,
  prompt: string,
  options: RunOptions
): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let last: GenerateResponse | undefined;
  let endedWithNewline = true;
  try {
    const request: GenerateRequest = { model, prompt, stream: true, ...requestExtras(options) };
    for await (const chunk of client.stream<GenerateResponse>(
      '/api/generate',
      request,
      controller.signal
    )) {
      if (chunk.response) {
        process.stdout.write(chunk.response);
        endedWithNewline = chunk.response.endsWith('\n');
      }
      last = chunk;
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    throw withPullHint(error, model);
  } finally {
    process.off('SIGINT', onSigint);
    if (!endedWithNewline) process.stdout.write('\n');
  }
  if (options.verbose && last) process.stderr.write(`\n${formatMetrics(last)}\n`);
}

export async function runModel(
  client: HearthClient,
  model: string,
  promptWords: string[],
  options: RunOptions
): Promise<void> {
  const parts = [...promptWords];
  if (!process.stdin.isTTY) {
    const piped = (await readAll(process.stdin)).trim();
    if (piped) parts.unshift(piped);
  }
  const prompt = parts.join(' ');
  await ensureModel(client, model, options.insecure);
  if (prompt.trim() !== '' || !process.stdin.isTTY) {
    return generateOnce(client, model, prompt, options);
  }
  await chatRepl(client, model, { ...requestExtras(options), verbose: options.verbose });
}
