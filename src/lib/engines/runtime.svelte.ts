/**
 * The page's one engine: keeps the loaded engine + model, switches engine when the model
 * or the override changes (unloading the old one first, so two models never share the
 * tab's memory), refuses models that do not fit instead of letting the tab crash, and
 * exposes reactive status for the UI. Engines are imported on demand: web-llm only when
 * a WebGPU model loads, wllama only when a GGUF model loads.
 */
import { get } from 'svelte/store';
import { t } from 'svelte-i18n';
import type {
  ChatRequest,
  ChatResponse,
  GenerateRequest,
  GenerateResponse
} from '#protocol/ollama/types';
import type { CatalogModel } from '../models/types';
import type { DeviceProbe } from '../device/types';
import { probeDevice } from '../device/probe';
import { fitVerdict } from '../models/fit';
import { getModelState } from '../store/model-files';
import { db } from '../store/db';
import {
  EngineError,
  type Engine,
  type EngineErrorCode,
  type EngineKind,
  type LoadProgress
} from './engine';
import {
  chooseEngine,
  type EngineOverride,
  type EngineReasonKey,
  type LocalEngineKind
} from './select';
import { errorCodeOf, needsReload, userMessage, type Translate } from './errors';
import { DEFAULT_CONTEXT } from './wasm-options';

export type RuntimeStatus = 'idle' | 'loading' | 'ready' | 'error';

export const OVERRIDE_KEY = 'engine.override';
export const THREADS_KEY = 'engine.wasmThreads';
const OVERRIDES: EngineOverride[] = ['auto', 'webgpu', 'wasm'];

export interface RuntimeDeps {
  probe(): Promise<DeviceProbe>;
  fit(
    model: CatalogModel,
    probe: DeviceProbe,
    kind: LocalEngineKind
  ): Promise<{ verdict: string; reason: string }>;
  createEngine(kind: EngineKind, options: { threads: number | null }): Promise<Engine>;
  readSetting(key: string): Promise<unknown>;
  writeSetting(key: string, value: unknown): Promise<void>;
  translate?: Translate;
}

export class EngineRuntime {
  status = $state<RuntimeStatus>('idle');
  progress = $state<LoadProgress | null>(null);
  error = $state<string | null>(null);
  errorCode = $state<EngineErrorCode | null>(null);
  kind = $state<EngineKind | null>(null);
  modelId = $state<string | null>(null);
  override = $state<EngineOverride>('auto');
  /** Why this engine was chosen (or why none could be), in English. */
  reason = $state('');
  /** The same, translatable: engines.reasons.<reasonKey> with reasonParams. */
  reasonKey = $state<EngineReasonKey | null>(null);
  reasonParams = $state<Record<string, string>>({});
  /** The engine's own description: "wllama 3.8.1, 1 thread, n_ctx 512". */
  detail = $state('');
  /** WASM thread override; null = automatic. */
  wasmThreads = $state<number | null>(null);

  private engine: Engine | null = null;
  private model: CatalogModel | null = null;
  /** The model last asked for, kept across failures so reload() can retry it. */
  private lastModel: CatalogModel | null = null;
  private pending: { modelId: string; promise: Promise<void>; controller: AbortController } | null =
    null;
  private settingsRead: Promise<void> | null = null;

  constructor(private readonly deps: RuntimeDeps) {}

  /** Reads the persisted override once; the UI may await it to show the saved choice. */
  ready(): Promise<void> {
    this.settingsRead ??= (async () => {
      const [override, threads] = await Promise.all([
        this.deps.readSetting(OVERRIDE_KEY).catch(() => undefined),
        this.deps.readSetting(THREADS_KEY).catch(() => undefined)
      ]);
      if (OVERRIDES.includes(override as EngineOverride))
        this.override = override as EngineOverride;
      if (typeof threads === 'number' && threads >= 1) this.wasmThreads = threads;
    })();
    return this.settingsRead;
  }

  /** Loads `model` unless it is already loaded on the engine it should run on. */
  async load(model: CatalogModel): Promise<void> {
    this.lastModel = model;
    await this.ready();
    if (this.pending?.modelId === model.id) return this.pending.promise;
    if (this.pending) {
      this.pending.controller.abort();
      await this.pending.promise.catch(() => undefined);
    }
    if (this.engine && this.model?.id === model.id && this.status === 'ready') {
      const probe = await this.deps.probe();
      if (chooseEngine(model, probe, this.override).kind === this.kind) return;
    }
    const controller = new AbortController();
    const promise = this.switchTo(model, controller.signal).finally(() => {
      if (this.pending?.promise === promise) this.pending = null;
    });
    this.pending = { modelId: model.id, promise, controller };
    return promise;
  }

  private async switchTo(model: CatalogModel, signal: AbortSignal): Promise<void> {
    this.status = 'loading';
    this.progress = null;
    this.error = null;
    this.errorCode = null;
    this.modelId = model.id;
    try {
      const probe = await this.deps.probe();
      const choice = chooseEngine(model, probe, this.override);
      this.reason = choice.reason;
      this.reasonKey = choice.key;
      this.reasonParams = choice.params;
      if (!choice.kind) throw new EngineError('not-supported', choice.reason);
      // A server model has no weights here: the server decides what it can hold.
      if (choice.kind !== 'remote') {
        const fit = await this.deps.fit(model, probe, choice.kind);
        if (fit.verdict === 'does-not-fit') throw new EngineError('does-not-fit', fit.reason);
      }
      await this.dropEngine();
      this.kind = choice.kind;
      const engine = await this.deps.createEngine(choice.kind, { threads: this.wasmThreads });
      await engine.load(model, (p) => (this.progress = p), signal);
      if (signal.aborted) {
        await engine.unload();
        throw new EngineError('aborted', 'Loading was replaced by another model.');
      }
      this.engine = engine;
      this.model = model;
      this.detail = engine.info().detail;
      this.status = 'ready';
      this.progress = null;
    } catch (error) {
      if (errorCodeOf(error) !== 'aborted') this.fail(error);
      throw error;
    }
  }

  async *chat(
    model: CatalogModel,
    request: ChatRequest,
    signal?: AbortSignal
  ): AsyncGenerator<ChatResponse> {
    const engine = await this.engineFor(model);
    const options = engine.kind === 'remote' ? boundedOnServer(request.options) : request.options;
    yield* this.guard(engine.chat({ ...request, model: model.id, options }, signal));
  }

  async *generate(
    model: CatalogModel,
    request: GenerateRequest,
    signal?: AbortSignal
  ): AsyncGenerator<GenerateResponse> {
    const engine = await this.engineFor(model);
    yield* this.guard(engine.generate({ ...request, model: model.id }, signal));
  }

  /** Starts a fresh engine for the current model (after a crash or a lost GPU). */
  async reload(): Promise<void> {
    const model = this.model ?? this.lastModel;
    await this.dropEngine();
    if (model) await this.load(model);
    else this.status = 'idle';
  }

  async unload(): Promise<void> {
    this.pending?.controller.abort();
    await this.pending?.promise.catch(() => undefined);
    await this.dropEngine();
    this.status = 'idle';
    this.modelId = null;
    this.kind = null;
    this.error = null;
    this.errorCode = null;
  }

  async setOverride(override: EngineOverride): Promise<void> {
    await this.ready();
    this.override = override;
    await this.deps.writeSetting(OVERRIDE_KEY, override);
    // A model on the wrong engine now is switched right away (load() is a no-op otherwise).
    if (this.model && this.status === 'ready') await this.load(this.model).catch(() => undefined);
  }

  async setWasmThreads(threads: number | null): Promise<void> {
    await this.ready();
    this.wasmThreads = threads;
    await this.deps.writeSetting(THREADS_KEY, threads);
    if (this.kind === 'wasm' && this.model) await this.reload().catch(() => undefined);
  }

  private async engineFor(model: CatalogModel): Promise<Engine> {
    await this.load(model);
    if (!this.engine) throw new EngineError('crashed', 'The engine is not running; reload it.');
    return this.engine;
  }

  /** Passes chunks through; a crash or lost device flips the status so the UI offers a reload. */
  private async *guard<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
    try {
      yield* stream;
    } catch (error) {
      if (needsReload(errorCodeOf(error))) this.fail(error);
      throw error;
    }
  }

  private fail(error: unknown): void {
    this.status = 'error';
    this.errorCode = errorCodeOf(error);
    this.error = userMessage(error, this.deps.translate);
    this.progress = null;
  }

  private async dropEngine(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    this.model = null;
    this.detail = '';
    if (engine) await engine.unload().catch(() => undefined);
  }
}

/**
 * In-browser engines stop when the context is full; a server shifts its context and can
 * go on for ever (a base model never says it is done). Unless the user set a limit, a
 * server answer stops after one context's worth of tokens, as it would in this browser.
 */
export function boundedOnServer(options: ChatRequest['options']): ChatRequest['options'] {
  if (options?.num_predict !== undefined) return options;
  const context = options?.num_ctx && options.num_ctx > 0 ? options.num_ctx : DEFAULT_CONTEXT;
  return { ...options, num_predict: context };
}

function i18nTranslate(key: string, fallback: string): string {
  try {
    const text = get(t)(key);
    return text && text !== key ? text : fallback;
  } catch {
    return fallback; // i18n not initialised (e.g. in a worker or a test)
  }
}

export const defaultRuntimeDeps: RuntimeDeps = {
  probe: () => probeDevice(),
  async fit(model, probe, kind) {
    const state = model.format === 'gguf' ? await getModelState(model.id) : undefined;
    return fitVerdict(model, probe, kind, { bytesStored: state?.bytesStored ?? 0 });
  },
  async createEngine(kind, options) {
    if (kind === 'remote') {
      const [{ RemoteEngine }, { csrfHeaders }] = await Promise.all([
        import('./remote'),
        import('../portal/client')
      ]);
      // Same origin: the portal's session cookie authenticates; writes echo its CSRF token.
      return new RemoteEngine({
        baseUrl: '',
        headers: csrfHeaders,
        remoteName: (model) => (model.source.kind === 'server' ? model.source.name : model.id)
      });
    }
    if (kind === 'wasm') {
      const { WasmEngine } = await import('./wasm');
      return new WasmEngine({ threads: options.threads });
    }
    const { WebGpuEngine } = await import('./webgpu');
    return new WebGpuEngine();
  },
  readSetting: async (key) => (await db().settings.get(key))?.value,
  writeSetting: async (key, value) => {
    await db().settings.put({ key, value });
  },
  translate: i18nTranslate
};

export const engineRuntime = new EngineRuntime(defaultRuntimeDeps);
