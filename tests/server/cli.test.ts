/**
 * The real `hearth` binary in child processes against a real server and a real model:
 * what a user types is what is tested.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORIES, startServer, type TestServer } from './helpers';
import { BIN, ROOT, hearth } from './cli-runner';

const GREEDY_START = 'Once upon a time, there was a little girl named Lily.';

describe('hearth CLI against a running server', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let workDir: string;

  beforeAll(async () => {
    server = await startServer();
    env = { HEARTH_HOST: server.url };
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-cli-'));
    // A relative FROM resolves against the Modelfile's folder, as in Ollama.
    const from = path.relative(workDir, STORIES);
    await fs.writeFile(
      path.join(workDir, 'Modelfile'),
      `# a tiny story model\nFROM ${from}\nPARAMETER temperature 0\nPARAMETER num_predict 48\n`
    );
  });

  afterAll(async () => {
    await server?.close();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  });

  it('create -f uploads the GGUF blob and creates the model', async () => {
    const result = await hearth(['create', 'stories', '-f', path.join(workDir, 'Modelfile')], env);
    expect(result.stderr).toContain('success');
    expect(result.code).toBe(0);
    const blobs = await fs.readdir(path.join(server.modelsDir, 'blobs'));
    expect(
      blobs.some((name) =>
        name.endsWith('7efbb964883be7eb395cea534bf9cf9826781f39a504e9710a00dfc4839579b5')
      )
    ).toBe(true);
  });

  it('list prints an Ollama-style table', async () => {
    const result = await hearth(['list'], env);
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+ID\s+SIZE\s+MODIFIED$/);
    const row = rows.find((line) => line.startsWith('stories:latest'));
    expect(row).toMatch(
      /^stories:latest\s+[0-9a-f]{12}\s+\d+(\.\d)? (KB|MB)\s+(Less than a second|\d+ seconds?) ago$/
    );
  });

  it('show prints the summary and single fields', async () => {
    const summary = await hearth(['show', 'stories'], env);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/Model\n\s+architecture\s+llama/);
    expect(summary.stdout).toMatch(/Parameters\n[\s\S]*temperature\s+0/);
    const parameters = await hearth(['show', 'stories', '--parameters'], env);
    expect(parameters.stdout).toMatch(/temperature\s+0/);
    expect(parameters.stdout).toMatch(/num_predict\s+48/);
    const modelfile = await hearth(['show', 'stories', '--modelfile'], env);
    expect(modelfile.stdout).toMatch(/^FROM /m);
    const both = await hearth(['show', 'stories', '--system', '--license'], env);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('Error: only one of');
  });

  it('run MODEL PROMPT streams the greedy story and exits', async () => {
    const result = await hearth(['run', 'stories', 'Once upon a time'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(`Once upon a time${result.stdout}`.startsWith(GREEDY_START)).toBe(true);
  });

  it('run reads a piped prompt from stdin', async () => {
    const result = await hearth(['run', 'stories'], env, 'Once upon a time\n');
    expect(result.code).toBe(0);
    expect(`Once upon a time${result.stdout}`.startsWith(GREEDY_START)).toBe(true);
  });

  it('ps shows the model the run loaded', async () => {
    const result = await hearth(['ps'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+ID\s+SIZE\s+PROCESSOR\s+(CONTEXT\s+)?UNTIL/);
    expect(result.stdout).toMatch(/stories:latest\s+[0-9a-f]{12}\s+.+100% CPU\s+.*from now/);
  });

  it('cp and rm manage copies', async () => {
    const copied = await hearth(['cp', 'stories', 'tale:v1'], env);
    expect(copied.stdout).toBe("copied 'stories' to 'tale:v1'\n");
    expect((await hearth(['list'], env)).stdout).toMatch(/^tale:v1\s/m);
    const removed = await hearth(['rm', 'tale:v1'], env);
    expect(removed.stdout).toBe("deleted 'tale:v1'\n");
    expect((await hearth(['list'], env)).stdout).not.toMatch(/^tale:v1\s/m);
  });

  it('pull fetches a model from a registry (this server, through its own /v2) with per-layer progress', async () => {
    const source = `${new URL(server.url).host}/library/stories:latest`;
    const result = await hearth(['pull', source, '--insecure'], env);
    expect(result.stderr).toContain('pulling manifest');
    expect(result.stderr).toMatch(/pulling 7efbb964883b: 100% 1\.2 MB/);
    expect(result.stderr.trimEnd().endsWith('success')).toBe(true);
    expect(result.code).toBe(0);
    expect((await hearth(['list'], env)).stdout).toContain(source);
  });

  it('create FROM an existing model keeps its weights and adds a system message', async () => {
    const file = path.join(workDir, 'Modelfile.system');
    await fs.writeFile(file, 'FROM stories\nSYSTEM """You tell short stories."""\n');
    const created = await hearth(['create', 'storyteller', '-f', file], env);
    expect(created.code).toBe(0);
    const system = await hearth(['show', 'storyteller', '--system'], env);
    expect(system.stdout.trim()).toBe('You tell short stories.');
  });

  it('errors are one line and exit code 1', async () => {
    const missing = await hearth(['rm', 'no-such-model'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: .*not found/);
    const runMissing = await hearth(['run', 'no-such-model', 'hi'], env);
    expect(runMissing.code).toBe(1);
    expect(runMissing.stderr).toContain('try pulling it first');
    const badFile = path.join(workDir, 'Modelfile.bad');
    await fs.writeFile(badFile, 'FROM stories\nPARAMETER temperature hot\n');
    const bad = await hearth(['create', 'broken', '-f', badFile], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: Modelfile line 2: /);
    const noFile = await hearth(['create', 'broken', '-f', path.join(workDir, 'nope')], env);
    expect(noFile.stderr).toMatch(/^Error: no Modelfile at /);
  });

  it('interactive run chats in a terminal and leaves on /bye', async () => {
    // `script` gives the CLI a real terminal, so this is the REPL a user sees.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run stories`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, ...env, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe']
    });
    let output = '';
    const waitFor = (predicate: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}; output: ${output}`)),
          30_000
        );
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    await waitFor(() => output.includes('>>> '), 'the first prompt');
    child.stdin.write('Once upon a time\r');
    await waitFor(() => output.split('>>> ').length >= 3, 'the answer and the next prompt');
    expect(output).toContain('Lily');
    child.stdin.write('/bye\r');
    expect(await exited).toBe(0);
  });

  it('says how to reach the server when none answers', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await hearth(['list'], { HEARTH_HOST: `127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Error: could not connect to Hearth at http://127.0.0.1:${port}, is it running? Start it with "hearth serve" (or set HEARTH_HOST)\n`
    );
  });
});
