/**
 * The real `hearth` binary in child processes against a real server and a real model:
 * what a user types is what is tested.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORIES, startServer, type TestServer } from './helpers';
import { hearth, recordingProxy, terminal } from './cli-runner';

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

  it('run pulls a model the server lacks, shows the progress, then answers', async () => {
    expect((await hearth(['cp', 'stories', 'tale:once'], env)).code).toBe(0);
    // The server pulls from its own registry paths: a missing name that exists there.
    const missing = `${new URL(server.url).host}/library/tale:once`;
    const result = await hearth(['run', missing, 'Once upon a time'], env);
    expect(result.stderr).toContain('pulling manifest');
    expect(result.stderr.trimEnd().endsWith('success')).toBe(true);
    expect(result.code).toBe(0);
    expect(`Once upon a time${result.stdout}`.startsWith(GREEDY_START)).toBe(true);
    expect((await hearth(['list'], env)).stdout).toContain(missing);
    // Present now: no second pull.
    const again = await hearth(['run', missing, 'Once upon a time'], env);
    expect(again.stderr).toBe('');
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
    // A model neither here nor at the registry: the pull run tries says so.
    const nowhere = `${new URL(server.url).host}/library/no-such-model`;
    const runMissing = await hearth(['run', nowhere, 'hi'], env);
    expect(runMissing.code).toBe(1);
    expect(runMissing.stderr).toMatch(/^Error: .*not found/m);
    const badFile = path.join(workDir, 'Modelfile.bad');
    await fs.writeFile(badFile, 'FROM stories\nPARAMETER temperature hot\n');
    const bad = await hearth(['create', 'broken', '-f', badFile], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: Modelfile line 2: /);
    const noFile = await hearth(['create', 'broken', '-f', path.join(workDir, 'nope')], env);
    expect(noFile.stderr).toMatch(/^Error: no Modelfile at /);
  });

  it('interactive run chats in a terminal and leaves on /bye', async () => {
    const tty = terminal(['run', 'stories'], env);
    await tty.waitFor((out) => out.includes('>>> '), 'the first prompt');
    tty.type('Once upon a time\r');
    await tty.waitFor((out) => out.split('>>> ').length >= 3, 'the answer and the next prompt');
    expect(tty.output()).toContain('Lily');
    tty.type('/bye\r');
    expect(await tty.exited).toBe(0);
  });

  it('run pulls a missing model with progress, then chats: """ blocks, /?, /clear, Ctrl+D', async () => {
    // Every /api/chat the REPL sends passes through the proxy, so the test sees the messages.
    const proxy = await recordingProxy(server.url);
    try {
      expect((await hearth(['cp', 'stories', 'tale:chat'], env)).code).toBe(0);
      const missing = `${new URL(server.url).host}/library/tale:chat`;
      const tty = terminal(['run', missing], { HEARTH_HOST: proxy.url });
      const prompts = (out: string) => out.split('>>> ').length - 1;
      await tty.waitFor((out) => prompts(out) >= 1, 'the first prompt');
      expect(tty.output()).toContain('pulling manifest');
      expect(tty.output()).toMatch(/success[\s\S]*>>> $/);

      tty.type('/?\r');
      await tty.waitFor((out) => prompts(out) >= 2, 'the help');
      expect(tty.output()).toContain('/clear');
      expect(tty.output()).toContain('Use """ to begin a multi-line message');

      tty.type('"""\r');
      await tty.waitFor((out) => out.includes('... '), 'the continuation prompt');
      tty.type('Once upon\r');
      tty.type('/not a command\r');
      tty.type('a time"""\r');
      await tty.waitFor((out) => prompts(out) >= 3, 'the answer to the block');
      expect(proxy.chats).toHaveLength(1);
      expect(proxy.chats[0].messages).toEqual([
        { role: 'user', content: 'Once upon\n/not a command\na time' }
      ]);

      tty.type('"""Once upon a time"""\r');
      await tty.waitFor((out) => prompts(out) >= 4, 'the second answer');
      // The history went with it: block, its answer, this message.
      expect(proxy.chats[1].messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(proxy.chats[1].messages[2].content).toBe('Once upon a time');

      tty.type('/clear\r');
      await tty.waitFor((out) => out.includes('Cleared session context'), '/clear');
      tty.type('Once upon a time\r');
      await tty.waitFor((out) => prompts(out) >= 6, 'the answer after /clear');
      expect(proxy.chats[2].messages).toEqual([{ role: 'user', content: 'Once upon a time' }]);

      // Ctrl+C inside a block drops it; nothing is sent.
      const dots = (out: string) => out.split('... ').length - 1;
      const before = dots(tty.output());
      tty.type('"""\r');
      await tty.waitFor((out) => dots(out) >= before + 1, 'a new block');
      tty.type('dropped\r');
      await tty.waitFor((out) => dots(out) >= before + 2, 'the block going on');
      tty.type('\x03');
      await tty.waitFor((out) => prompts(out) >= 7, 'the prompt after Ctrl+C');

      tty.type('\x04');
      expect(await tty.exited).toBe(0);
      expect(proxy.chats).toHaveLength(3);
      expect(tty.output()).not.toContain('Error');
    } finally {
      await proxy.close();
    }
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

describe('hearth with no server', () => {
  it('prints its help on stdout and exits 0 when run with no arguments', async () => {
    const result = await hearth([], {});
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: hearth \[options\] \[command\]/);
    expect(result.stdout).toMatch(/^\s+run \[options\] <model> \[prompt\.\.\.\]/m);
    expect(result.stdout).toMatch(/^\s+keys\s/m);
  });
});

describe('hearth keys on a server with sign-in on', () => {
  const PASSWORD = 'a long enough password';
  let server: TestServer;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-keys-'));
    server = await startServer({ HEARTH_AUTH: 'on', HEARTH_DATA: dataDir });
    env = { HEARTH_DATA: dataDir, HEARTH_HOST: server.url };
  });

  afterAll(async () => {
    await server?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const tags = (key: string) =>
    fetch(`${server.url}/api/tags`, { headers: { Authorization: `Bearer ${key}` } });

  it('creates a key with no web UI and no key to start from; it authenticates at once', async () => {
    expect((await hearth(['admin', 'create', 'ops', '--password', PASSWORD], env)).code).toBe(0);
    const created = await hearth(['keys', 'create', 'ci', '--user', 'OPS'], env);
    expect(created.code).toBe(0);
    // stdout is the key alone, so `KEY=$(hearth keys create …)` works.
    expect(created.stdout).toMatch(/^hk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}\n$/);
    const key = created.stdout.trim();
    expect(created.stderr).toContain("Created API key 'ci'");
    expect(created.stderr).not.toContain(key.slice(12));

    expect((await tags(key)).status).toBe(200);
    expect((await tags('hk_00000000_' + 'A'.repeat(43))).status).toBe(401);
    const listed = await hearth(['list'], { ...env, HEARTH_API_KEY: key });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+ID\s+SIZE\s+MODIFIED/);

    const keys = await hearth(['keys', 'list'], env);
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/^ID\s+NAME\s+USER\s+PREFIX\s+CREATED\s+LAST USED\s+STATUS$/m);
    expect(keys.stdout).toMatch(
      new RegExp(`^\\d+\\s+ci\\s+ops\\s+${key.slice(0, 11)}\\s.*active$`, 'm')
    );
    expect(keys.stdout).not.toContain(key.slice(12));
    // Only hashes are stored: the secret is nowhere in the database or its audit log.
    expect((await fs.readFile(path.join(dataDir, 'hearth.db'))).includes(key.slice(12))).toBe(
      false
    );
  });

  it('revokes by name (with --user), ID or prefix; the key is refused at once', async () => {
    const first = (await hearth(['keys', 'create', 'laptop', '--user', 'ops'], env)).stdout.trim();
    const second = (await hearth(['keys', 'create', 'phone', '--user', 'ops'], env)).stdout.trim();
    expect((await tags(first)).status).toBe(200);

    const byName = await hearth(['keys', 'revoke', 'laptop', '--user', 'ops'], env);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(
      /^Revoked API key 'laptop' \(id \d+, hk_[0-9a-f]{8}\) of 'ops'\.\n$/
    );
    expect((await tags(first)).status).toBe(401);
    expect((await tags(second)).status).toBe(200);

    const prefix = second.slice(0, 11);
    expect((await hearth(['keys', 'revoke', prefix], env)).code).toBe(0);
    expect((await tags(second)).status).toBe(401);

    const listed = await hearth(['keys', 'list', '--user', 'ops'], env);
    expect(listed.stdout).toMatch(/^\d+\s+laptop\s+ops\s+.*revoked$/m);
    expect(listed.stdout).toMatch(/^\d+\s+phone\s+ops\s+.*revoked$/m);
    const id = /^(\d+)\s+ci\s/m.exec(listed.stdout)?.[1];
    expect(id).toBeDefined();
    expect((await hearth(['keys', 'revoke', id!], env)).stdout).toMatch(/^Revoked API key 'ci'/);
  });

  it('says what is wrong in one line, exit code 1', async () => {
    const nobody = await hearth(['keys', 'create', 'x', '--user', 'nobody'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe("Error: user 'nobody' not found\n");
    const noUser = await hearth(['keys', 'create', 'x'], env);
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toContain("required option '--user <username>' not specified");
    const nameOnly = await hearth(['keys', 'revoke', 'laptop'], env);
    expect(nameOnly.stderr).toBe('Error: to revoke a key by name, say whose it is with --user\n');
    const absent = await hearth(['keys', 'revoke', 'tablet', '--user', 'ops'], env);
    expect(absent.stderr).toBe("Error: API key 'tablet' of 'ops' not found\n");
    expect(absent.code).toBe(1);
  });
});
