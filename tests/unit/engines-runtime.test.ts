/**
 * engineRuntime's policy (engine switching, fit refusal, crash → reload, persisted
 * override) with an in-memory engine injected in place of wllama/web-llm, which need a
 * browser. The real engines are exercised in Chromium by the e2e tests.
 */
import { describe, expect, it } from 'vitest';
import {
  EngineRuntime,
  OVERRIDE_KEY,
  type RuntimeDeps
} from '../../src/lib/engines/runtime.svelte';
import { EngineError, type Engine, type LoadProgress } from '../../src/lib/engines/engine';
import type { ChatRequest, ChatResponse } from '#protocol/ollama/types';
import type { DeviceProbe } from '../../src/lib/device/types';
import type { CatalogModel } from '../../src/lib/models/types';

const probe: DeviceProbe = {
  webgpu: { available: false, reason: 'no adapter' },
  deviceMemoryGiB: 8,
  cores: 2,
  crossOriginIsolated: true,
  storage: { quota: 1e10, usage: 0, persisted: false },
  wasmMemory64: true,
  wasmSimd: true
};

const gguf = (id: string, extra: Partial<CatalogModel> = {}): CatalogModel => ({
  id,
  name: id,
  format: 'gguf',
  quantization: 'F32',
  sizeBytes: 1e6,
  memoryBytes: 1e8,
  source: { kind: 'file', fileName: `${id}.gguf` },
  builtin: false,
  ...extra
});

/** Echoes the prompt back word by word; can be told to crash mid-stream. */
class EchoEngine implements Engine {
  readonly kind = 'wasm' as const;
  loaded: string | null = null;
  unloads = 0;
  crashNext = false;
  constructor(readonly serial: number) {}
  async load(model: CatalogModel, onProgress: (p: LoadProgress) => void) {
    onProgress({ phase: 'read', loaded: 1, total: 1 });
    this.loaded = model.id;
  }
  async *chat(request: ChatRequest): AsyncGenerator<ChatResponse> {
    const words = (request.messages?.at(-1)?.content ?? '').split(' ');
    for (const [i, word] of words.entries()) {
      if (this.crashNext && i === 1) throw new EngineError('crashed', 'wasm abort');
      yield {
        model: request.model,
        created_at: '',
        message: { role: 'assistant', content: word },
        done: false
      };
    }
    yield {
      model: request.model,
      created_at: '',
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      eval_count: words.length
    };
  }
  async *generate(): AsyncGenerator<never> {}
  async embed(): Promise<never> {
    throw new EngineError('not-supported', 'no');
  }
  async unload() {
    this.unloads++;
    this.loaded = null;
  }
  info() {
    return { kind: 'wasm' as const, modelId: this.loaded, detail: `echo #${this.serial}` };
  }
}

function setup(fitVerdict = 'fits') {
  const engines: EchoEngine[] = [];
  const settings = new Map<string, unknown>([[OVERRIDE_KEY, 'wasm']]);
  const deps: RuntimeDeps = {
    probe: async () => probe,
    fit: async () => ({
      verdict: fitVerdict,
      reason: 'Needs 9 GiB; this device reports only 8 GiB of RAM'
    }),
    createEngine: async () => {
      const engine = new EchoEngine(engines.length + 1);
      engines.push(engine);
      return engine;
    },
    readSetting: async (key) => settings.get(key),
    writeSetting: async (key, value) => void settings.set(key, value)
  };
  return { runtime: new EngineRuntime(deps), engines, settings };
}

async function collect(stream: AsyncIterable<ChatResponse>): Promise<ChatResponse[]> {
  const out: ChatResponse[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

const ask = (text: string): ChatRequest => ({
  model: '',
  messages: [{ role: 'user', content: text }]
});

describe('EngineRuntime', () => {
  it('loads on first chat, reuses the engine, and switches (unloading) on a new model', async () => {
    const { runtime, engines } = setup();
    const chunks = await collect(runtime.chat(gguf('a'), ask('one two')));
    expect(chunks.map((c) => c.message.content).join(' ')).toBe('one two ');
    expect(chunks.at(-1)).toMatchObject({ done: true, model: 'a', eval_count: 2 });
    expect(runtime).toMatchObject({
      status: 'ready',
      kind: 'wasm',
      modelId: 'a',
      detail: 'echo #1'
    });
    expect(runtime.reason).toContain('GGUF models run on the WASM engine');

    await collect(runtime.chat(gguf('a'), ask('again')));
    expect(engines).toHaveLength(1);

    await collect(runtime.chat(gguf('b'), ask('x')));
    expect(engines).toHaveLength(2);
    expect(engines[0].unloads).toBe(1);
    expect(runtime.modelId).toBe('b');
  });

  it('refuses a model that does not fit instead of loading it', async () => {
    const { runtime, engines } = setup('does-not-fit');
    const error = await runtime.load(gguf('huge')).catch((e) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('does-not-fit');
    expect(engines).toHaveLength(0);
    expect(runtime.status).toBe('error');
    expect(runtime.errorCode).toBe('does-not-fit');
    expect(runtime.error).toContain('this device reports only 8 GiB');
  });

  it('refuses an MLC model without WebGPU, with the reason', async () => {
    const { runtime } = setup();
    const mlc = gguf('Qwen-q4f32_1-MLC', { format: 'mlc', source: { kind: 'mlc-prebuilt' } });
    const error = await runtime.load(mlc).catch((e) => e);
    expect(error.code).toBe('not-supported');
    expect(runtime.reason).toContain('MLC models need WebGPU');
  });

  it('flags a crash for the UI and reload() starts a fresh engine', async () => {
    const { runtime, engines } = setup();
    await runtime.load(gguf('a'));
    engines[0].crashNext = true;
    await expect(collect(runtime.chat(gguf('a'), ask('one two three')))).rejects.toThrow(
      'wasm abort'
    );
    expect(runtime.status).toBe('error');
    expect(runtime.errorCode).toBe('crashed');
    expect(runtime.error).toContain('Reload engine');

    await runtime.reload();
    expect(engines).toHaveLength(2);
    expect(runtime.status).toBe('ready');
    const chunks = await collect(runtime.chat(gguf('a'), ask('ok now')));
    expect(chunks.at(-1)?.done).toBe(true);
  });

  it('reads and persists the override', async () => {
    const { runtime, settings } = setup();
    await runtime.ready();
    expect(runtime.override).toBe('wasm');
    await runtime.setOverride('auto');
    expect(settings.get(OVERRIDE_KEY)).toBe('auto');
    expect(runtime.override).toBe('auto');
  });

  it('unload() frees the engine and resets the status', async () => {
    const { runtime, engines } = setup();
    await runtime.load(gguf('a'));
    await runtime.unload();
    expect(engines[0].unloads).toBe(1);
    expect(runtime).toMatchObject({ status: 'idle', modelId: null, kind: null });
  });
});
