/** Runs the real `hearth` binary in child processes, as a user's shell would. */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'hearth.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function hearth(
  args: string[],
  env: Record<string, string>,
  input?: string
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, OLLAMA_HOST: '', HEARTH_API_KEY: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface RecordingProxy {
  url: string;
  /** Bodies of the /api/chat requests that passed through, oldest first. */
  chats: Array<{ messages: Array<{ role: string; content: string }> }>;
  close(): Promise<void>;
}

/**
 * A pass-through proxy in front of a real server that keeps what the CLI sent to
 * /api/chat, so a test can see exactly which messages a REPL session produced.
 */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const chats: RecordingProxy['chats'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/api/chat') chats.push(JSON.parse(body.toString('utf8')));
      const upstream = http.request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        }
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    chats,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}

export interface Terminal {
  /** Everything the command wrote to its terminal so far. */
  output(): string;
  /** Keys typed by the user: "\r" is Enter, "\x04" Ctrl+D, "\x03" Ctrl+C. */
  type(keys: string): void;
  waitFor(predicate: (output: string) => boolean, what: string): Promise<void>;
  exited: Promise<number | null>;
}

/** Runs `hearth ARGS` on a real terminal (through `script`), as a user at a shell sees it. */
export function terminal(args: string[], env: Record<string, string>): Terminal {
  const command = [process.execPath, BIN, ...args].map((arg) => JSON.stringify(arg)).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, OLLAMA_HOST: '', HEARTH_API_KEY: '', ...env, TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe']
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    output: () => output,
    type: (keys) => void child.stdin.write(keys),
    exited,
    waitFor: (predicate, what) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.stdout.off('data', check);
          reject(new Error(`timed out waiting for ${what}; output: ${output}`));
        }, 30_000);
        function check() {
          if (!predicate(output)) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        }
        child.stdout.on('data', check);
        check();
      })
  };
}
