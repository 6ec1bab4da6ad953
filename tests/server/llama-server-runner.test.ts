/**
 * The llama-server runner beyond the shared endpoint tests (inference.test.ts runs those
 * with both runners): which runner a configuration picks, the process it supervises
 * (loopback only, a key no one else has, gone on unload), a crash that takes only the
 * model down, and parallel streams batched in llama.cpp answering as they do alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildRunner } from '../../server/cli/commands/runner';
import { loadConfig } from '../../server/config';
import { bundledLlamaCppCommit, llamaCppToolPath } from '../../server/runtime/llama-server-build';
import { completionSampling } from '../../server/runtime/llama-server-completion';
import {
  failureLine,
  runnersResidentBytes,
  stopOrphanedRunners
} from '../../server/runtime/llama-server-process';
import { chooseRunner, installedLlamaServer } from '../../server/runtime/runner-choice';
import { postJson as post } from './fixtures';
import { startInferenceApp, type InferenceApp } from './inference-app';

const llamaServer = inject('llamaServer');

describe('choosing the runner', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-runner-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const config = (env: Record<string, string>) => loadConfig({ HEARTH_DATA: dataDir, ...env });

  it('runs in-process when nothing is built, and says how to get llama-server', () => {
    expect(chooseRunner(config({}))).toEqual({
      kind: 'in-process',
      reason: expect.stringContaining('hearth runner build')
    });
    expect(chooseRunner(config({ HEARTH_RUNNER: 'in-process' })).kind).toBe('in-process');
  });

  it('refuses a llama-server it was told to use but cannot find', () => {
    expect(() => chooseRunner(config({ HEARTH_RUNNER: 'llama-server' }))).toThrow(
      /no executable llama-server at .*hearth runner build/
    );
    expect(() => chooseRunner(config({ HEARTH_LLAMA_SERVER: '/nowhere/llama-server' }))).toThrow(
      '/nowhere/llama-server'
    );
    expect(() => config({ HEARTH_RUNNER: 'gpu' })).toThrow(/HEARTH_RUNNER must be/);
  });

  it('uses the llama-server `hearth runner build` installed, unless told otherwise', () => {
    const installed = installedLlamaServer(dataDir);
    fs.mkdirSync(path.dirname(installed), { recursive: true });
    fs.writeFileSync(installed, '#!/bin/sh\n', { mode: 0o755 });
    expect(chooseRunner(config({}))).toEqual({ kind: 'llama-server', binary: installed });
    expect(chooseRunner(config({ HEARTH_RUNNER: 'in-process' })).kind).toBe('in-process');
  });

  it('`hearth runner build` says which tool is missing', () => {
    const path0 = process.env.PATH;
    process.env.PATH = dataDir; // no git, cmake or compiler in there
    try {
      expect(() => buildRunner(() => {}, { HEARTH_DATA: dataDir })).toThrow(
        'cannot build llama-server: git is not installed'
      );
    } finally {
      process.env.PATH = path0;
    }
  });

  // With the global setup's build in the cache, this only copies it.
  const cached = fs.existsSync(llamaCppToolPath('llama-server'));
  it.skipIf(!cached)('`hearth runner build` installs the build for `hearth serve`', () => {
    const out: string[] = [];
    const data = path.join(dataDir, 'built');
    buildRunner((text) => out.push(text), { HEARTH_DATA: data });
    const installed = installedLlamaServer(data);
    expect(out.join('')).toContain(`Installed ${installed}`);
    expect(chooseRunner(loadConfig({ HEARTH_DATA: data }))).toEqual({
      kind: 'llama-server',
      binary: installed
    });
    const version = spawnSync(installed, ['--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout + version.stderr).toContain(`commit ${bundledLlamaCppCommit()}`);
  });

  it('names the reason when llama-server cannot start', async () => {
    const app = await startInferenceApp({ HEARTH_LLAMA_SERVER: '/bin/false' });
    try {
      const response = await post(`${app.url}/api/generate`, { model: 'stories', prompt: 'x' });
      expect(response.status).toBe(500);
      expect((await response.json()).error).toMatch(/llama-server exited \(code 1\)/);
    } finally {
      await app.close();
    }
  });
});

describe('what llama-server is told', () => {
  it("maps Ollama's options and defaults onto llama.cpp's sampler", () => {
    expect(completionSampling({})).toEqual({
      temperature: 0.8,
      top_k: 40,
      top_p: 0.9,
      min_p: 0,
      seed: -1,
      repeat_last_n: 64,
      repeat_penalty: 1.1,
      frequency_penalty: 0,
      presence_penalty: 0
    });
    expect(
      completionSampling({
        seed: 7,
        repeat_last_n: -1,
        repeat_penalty: 0,
        typical_p: 0.5,
        mirostat: 2,
        mirostat_tau: 4,
        mirostat_eta: 0.2
      })
    ).toMatchObject({
      seed: 7,
      repeat_last_n: -1,
      repeat_penalty: 1e-6,
      typical_p: 0.5,
      mirostat: 2,
      mirostat_tau: 4,
      mirostat_eta: 0.2
    });
    // No penalty at all: llama.cpp's neutral values.
    expect(completionSampling({ repeat_last_n: 0 })).toMatchObject({
      repeat_last_n: 0,
      repeat_penalty: 1
    });
  });

  it('quotes the error line of its output, not its chatter', () => {
    const stderr = [
      'load_backend: loaded CPU backend',
      "gguf_init_from_file_impl: failed to read magic from '/m/blob'",
      'srv    load_model: failed to load model',
      'main: exiting due to model loading error'
    ].join('\n');
    expect(failureLine(stderr)).toBe('main: exiting due to model loading error');
    expect(failureLine('slot release: id 3 | stop processing')).toBe('');
  });
});

describe('llama-servers whose Hearth died', () => {
  it('are stopped; those of a living Hearth are not', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    const sleeper = (owner: number) =>
      spawn('sleep', ['60'], { env: { ...process.env, HEARTH_RUNNER_OWNER: String(owner) } });
    const orphan = sleeper(gone.pid!);
    const owned = sleeper(process.pid);
    const orphanExit = new Promise((resolve) =>
      orphan.once('exit', (_, signal) => resolve(signal))
    );
    try {
      const started = (pid: number) => {
        try {
          return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').includes('HEARTH_RUNNER_OWNER=');
        } catch {
          return false;
        }
      };
      await expect.poll(() => started(orphan.pid!) && started(owned.pid!)).toBe(true);
      // 1, unless a test file running beside this one started a llama-server runner just
      // now and stopped the orphan first.
      expect(stopOrphanedRunners()).toBeLessThanOrEqual(1);
      expect(await orphanExit).toBe('SIGKILL');
      expect(owned.exitCode).toBeNull();
    } finally {
      orphan.kill('SIGKILL');
      owned.kill('SIGKILL');
    }
  });
});

/** This process's llama-server children (a dead one not yet reaped included): pid and arguments. */
function llamaServerChildren(): { pid: number; args: string[] }[] {
  const children: { pid: number; args: string[] }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …"; comm is cut at 15 characters and may hold spaces.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid || comm !== 'llama-server') continue;
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      children.push({ pid: Number(name), args: cmdline.split('\0').filter(Boolean).slice(1) });
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

describe.skipIf(!llamaServer)('the llama-server process', () => {
  let app: InferenceApp;
  beforeAll(async () => {
    app = await startInferenceApp({ HEARTH_LLAMA_SERVER: llamaServer, OLLAMA_NUM_PARALLEL: '4' });
  });
  afterAll(async () => app?.close());

  const greedy = (prompt: string) =>
    post(`${app.url}/api/generate`, {
      model: 'stories',
      prompt,
      stream: false,
      options: { temperature: 0, num_predict: 32 }
    }).then(async (response) => (await response.json()) as { response: string; error?: string });

  it('listens on loopback only and answers only Hearth', async () => {
    await greedy('Once');
    const [child] = llamaServerChildren();
    const arg = (name: string) => child.args[child.args.indexOf(name) + 1];
    expect(arg('--host')).toBe('127.0.0.1');
    expect(child.args.join(' ')).not.toMatch(/api-key/);
    const completion = await post(`http://127.0.0.1:${arg('--port')}/completion`, {
      prompt: 'Once'
    });
    expect(completion.status).toBe(401);
  });

  it('batches four parallel streams, each answering as it does alone', async () => {
    const prompts = ['Once upon a time', 'The cat', 'Lily and Ben', 'One day, a little'];
    const alone: string[] = [];
    for (const prompt of prompts) alone.push((await greedy(prompt)).response);
    const together = await Promise.all(prompts.map((prompt) => greedy(prompt)));
    expect(together.map((answer) => answer.response)).toEqual(alone);
  });

  it('survives its model crashing: the next request starts it afresh', async () => {
    await greedy('Once');
    const [before] = llamaServerChildren();
    process.kill(before.pid, 'SIGKILL');
    await expect.poll(() => llamaServerChildren().length).toBe(0);
    const answer = await greedy('Once upon a time');
    expect(answer.error).toBeUndefined();
    expect(answer.response).toMatch(/^, there was a little girl named Lily/);
    const [after] = llamaServerChildren();
    expect(after.pid).not.toBe(before.pid);
  });

  it('ends a stream cut by a crash with an error line naming it, not a finished answer', async () => {
    const response = await post(`${app.url}/api/generate`, {
      model: 'stories',
      prompt: 'Once upon a time',
      options: { num_predict: 100_000 }
    });
    const reader = response.body!.getReader();
    await reader.read();
    const [child] = llamaServerChildren();
    process.kill(child.pid, 'SIGKILL');
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read())
      rest += new TextDecoder().decode(part.value);
    const last = JSON.parse(rest.trim().split('\n').at(-1)!) as { error?: string; done?: boolean };
    expect(last.done).not.toBe(true);
    expect(last.error).toMatch(/llama-server exited \(SIGKILL\)/);
    await expect.poll(() => llamaServerChildren().length).toBe(0);
  });

  it('stops the process when the model unloads, and counts its memory until then', async () => {
    await greedy('Once');
    expect(llamaServerChildren()).toHaveLength(1);
    expect(runnersResidentBytes()).toBeGreaterThan(1e6);
    await post(`${app.url}/api/generate`, { model: 'stories', keep_alive: 0 });
    await expect.poll(() => llamaServerChildren().length).toBe(0);
    expect(runnersResidentBytes()).toBe(0);
  });
});
