/**
 * `hearth create NAME -f Modelfile`: parses the Modelfile here, uploads a local GGUF as a
 * blob (only if the server lacks it), then asks the server to assemble the model.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ProgressResponse } from '#protocol/ollama/types';
import { isPathLike, modelfileToCreateRequest, parseModelfile } from '#protocol/modelfile/format';
import { CliError, type HearthClient } from '../client';
import { ProgressDisplay } from '../progress';

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Sends the file unless the server already holds a blob with this digest. */
export async function uploadBlob(
  client: HearthClient,
  file: string,
  digest: string,
  progress: ProgressDisplay
): Promise<void> {
  const head = await client.request(`/api/blobs/${digest}`, { method: 'HEAD' });
  if (head.ok) return;
  const { size } = await fs.promises.stat(file);
  const label = `copying file ${digest.slice(0, 19)}`;
  let sent = 0;
  progress.bytes(digest, label, 0, size);
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  source.on('data', (chunk) => {
    sent += chunk.length;
    progress.bytes(digest, label, sent, size);
  });
  await client.request(`/api/blobs/${digest}`, {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
    body: Readable.toWeb(source) as ReadableStream<Uint8Array>,
    duplex: 'half'
  });
}

async function readModelfile(file: string): Promise<string> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`no Modelfile at ${file} (use -f to name one)`);
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** A FROM path is relative to the Modelfile's folder, as in Ollama. */
async function localModelFile(from: string, modelfileDir: string): Promise<string> {
  const file = path.resolve(modelfileDir, expandHome(from));
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new CliError(`FROM ${from}: no such file (${file})`);
  }
  if (stat.isDirectory())
    throw new CliError(`FROM ${from}: is a folder; point FROM at a .gguf file`);
  return file;
}

export async function createModel(
  client: HearthClient,
  name: string,
  modelfilePath: string
): Promise<void> {
  const file = path.resolve(modelfilePath);
  const text = await readModelfile(file);
  let modelfile;
  try {
    modelfile = parseModelfile(text);
  } catch (error) {
    throw new CliError((error as Error).message);
  }

  const progress = new ProgressDisplay();
  try {
    progress.status('gathering model components');
    let files: Record<string, string> | undefined;
    if (isPathLike(modelfile.from)) {
      const gguf = await localModelFile(modelfile.from, path.dirname(file));
      const digest = await sha256File(gguf);
      await uploadBlob(client, gguf, digest, progress);
      files = { [path.basename(gguf)]: digest };
    }
    const request = { ...modelfileToCreateRequest(modelfile, name, files), stream: true };
    for await (const event of client.stream<ProgressResponse>('/api/create', request))
      progress.event(event);
  } finally {
    progress.stop();
  }
}
