/**
 * Starts the real Hearth server (the same process `npm start` runs) on a free loopback
 * port with an empty temporary models directory, serving the freshly built app.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const root = path.resolve(import.meta.dirname, '../..');
  if (!fs.existsSync(path.join(root, 'build', 'index.html'))) {
    throw new Error('build/ is missing: run `npm run build` first (npm run test:e2e does)');
  }
  const port = await freePort();
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-e2e-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HEARTH_HOST: `127.0.0.1:${port}`,
      HEARTH_MODELS: modelsDir,
      HEARTH_THREADS: '1'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Hearth server exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/version`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`Hearth server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  process.env.HEARTH_E2E_URL = url;
  return async () => {
    child.kill('SIGTERM');
    fs.rmSync(modelsDir, { recursive: true, force: true });
  };
}
