/**
 * One llama.cpp `llama-server` process serving one model to this server alone, the way
 * Ollama runs its models: a separate process, so a model that crashes takes only itself
 * down, and llama.cpp's own decode loop and batching. It listens on 127.0.0.1 at a free
 * port and answers only requests carrying a key made for it (other local users cannot use
 * it); the key travels in its environment, not its command line, which `ps` shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { processIsAlive } from '../process-alive';

export interface LlamaServerStart {
  binary: string;
  modelPath: string;
  threads: number;
  slots: number;
  contextPerSlot: number;
  /** Longest the model may take to load before the start counts as failed. */
  startTimeoutMs: number;
  signal?: AbortSignal;
}

/** What llama-server printed last, kept short: the reason it failed is usually there. */
const STDERR_TAIL_CHARS = 4000;
const HEALTH_POLL_MS = 50;
/** Grace period between SIGTERM and SIGKILL on unload. */
const STOP_GRACE_MS = 5000;
/** A free port can be taken by someone else before llama-server binds it; try again. */
const BIND_ATTEMPTS = 3;

export class RunnerStartError extends Error {}

/** Marks a llama-server as Hearth's, naming the Hearth process that owns it. */
const OWNER_VARIABLE = 'HEARTH_RUNNER_OWNER';

/** Every Hearth's llama-servers on this machine (Linux: read from /proc; elsewhere none). */
function* hearthRunners(): Generator<{ pid: number; owner: number }> {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const pid of pids) {
    let environ: string;
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone, or another user's
    }
    const owner = environ
      .split('\0')
      .find((entry) => entry.startsWith(`${OWNER_VARIABLE}=`))
      ?.slice(OWNER_VARIABLE.length + 1);
    if (owner && /^\d+$/.test(owner)) yield { pid: Number(pid), owner: Number(owner) };
  }
}

/**
 * Stops llama-servers whose Hearth died without unloading them (killed, out of memory):
 * they would hold their model's memory forever. A graceful stop, systemd and container
 * runtimes stop them anyway; this covers the rest. Returns how many it stopped.
 */
export function stopOrphanedRunners(): number {
  let stopped = 0;
  for (const { pid, owner } of hearthRunners()) {
    if (processIsAlive(owner)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      stopped++;
    } catch {
      // Exited meanwhile.
    }
  }
  return stopped;
}

/** Process ids of the llama-servers this Hearth runs now. */
const running = new Set<number>();

/**
 * Memory (RSS, bytes) this Hearth's llama-servers hold: the models' weights and caches.
 * Read from /proc (0 elsewhere), for the status page and /metrics.
 */
export function runnersResidentBytes(): number {
  let total = 0;
  for (const pid of running) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (kib) total += Number(kib[1]) * 1024;
    } catch {
      // Exited meanwhile.
    }
  }
  return total;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** llama-server's last error-looking line ('' for none), kept short. */
export function failureLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  const error = lines.reverse().find((line) => /error|failed|unable|invalid|cannot/i.test(line));
  return (error ?? '').slice(0, 300);
}

export class LlamaServerProcess {
  /** Set once the process has exited: why, in one line. */
  exitReason?: string;
  private stderr = '';
  private readonly agent = new http.Agent({ keepAlive: true });
  private stopping = false;
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly key: string
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    if (child.pid !== undefined) running.add(child.pid);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (child.pid !== undefined) running.delete(child.pid);
        const line = failureLine(this.stderr);
        this.exitReason = this.stopping
          ? 'unloaded'
          : `llama-server exited (${signal ?? `code ${code}`})${line ? `: ${line}` : ''}`;
        resolve();
      });
      child.once('error', (error) => {
        this.exitReason = `llama-server could not run: ${error.message}`;
        resolve();
      });
    });
  }

  static async start(options: LlamaServerStart): Promise<LlamaServerProcess> {
    for (let attempt = 1; ; attempt++) {
      const server = LlamaServerProcess.spawn(options, await freePort());
      try {
        await server.waitHealthy(options);
        return server;
      } catch (error) {
        await server.stop();
        const bindFailed = /bind|address already in use/i.test(server.stderr);
        if (!bindFailed || attempt >= BIND_ATTEMPTS) throw error;
      }
    }
  }

  private static spawn(options: LlamaServerStart, port: number): LlamaServerProcess {
    const key = crypto.randomBytes(24).toString('base64url');
    // A context of contextPerSlot × slots split into `slots` (no unified KV: -np is set),
    // the prompt cache in host memory off (bounded memory), context shift on (Ollama
    // keeps generating past a full context too), no web page.
    const args = [
      ['--model', options.modelPath],
      ['--host', '127.0.0.1'],
      ['--port', String(port)],
      ['--threads', String(options.threads)],
      ['--threads-batch', String(options.threads)],
      ['--parallel', String(options.slots)],
      ['--ctx-size', String(options.contextPerSlot * options.slots)],
      ['--cache-ram', '0'],
      ['--context-shift'],
      ['--no-webui']
    ].flat();
    const child = spawn(options.binary, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LLAMA_API_KEY: key, [OWNER_VARIABLE]: String(process.pid) }
    });
    return new LlamaServerProcess(child, `http://127.0.0.1:${port}`, key);
  }

  private async waitHealthy(options: LlamaServerStart): Promise<void> {
    const deadline = performance.now() + options.startTimeoutMs;
    for (;;) {
      if (this.exitReason) throw new RunnerStartError(this.exitReason);
      if (options.signal?.aborted) throw new RunnerStartError('the load was cancelled');
      if (performance.now() > deadline)
        throw new RunnerStartError(
          `llama-server did not load the model within ${Math.round(options.startTimeoutMs / 1000)} s`
        );
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.ok) return;
        await response.body?.cancel();
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }
  }

  /** Why the process exited, waiting up to `ms` for it to; undefined while it runs. */
  async exitReasonWithin(ms: number): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    return this.exitReason;
  }

  /**
   * POSTs JSON to the process, with its key; resolves with the response once its headers
   * came. Node's own http client: per streamed token it costs less CPU than fetch's web
   * streams, and on a small machine every cycle Hearth spends is one llama.cpp waits for.
   */
  post(path: string, body: unknown, signal: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        `${this.url}${path}`,
        {
          method: 'POST',
          agent: this.agent,
          signal,
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${this.key}`
          }
        },
        resolve
      );
      request.once('error', reject);
      request.end(JSON.stringify(body));
    });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    if (this.exitReason) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
