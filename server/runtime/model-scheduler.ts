/**
 * The scheduler: per loaded model `numParallel` slots, one bounded FIFO queue for
 * requests waiting for a slot, keep_alive expiry, at most `maxLoadedModels` resident
 * (idle ones unloaded least-recently-used first). Models run in runners (./runner):
 * llama.cpp's own server when one is configured (./runner-choice), else node-llama-cpp.
 *
 * A request reserves its slot synchronously, before any await, so counting is exact:
 * with OLLAMA_NUM_PARALLEL=1 and OLLAMA_MAX_QUEUE=1, one request runs, one waits and
 * the third is refused with 503, as in Ollama.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config';
import { BusyError } from '../domain-errors';
import type { ModelStore, ResolvedModel } from '../store/model-store';
import type { Options, ProcessModel } from '#protocol/ollama/types';
import { AbortedError } from './generate';
import type { ModelRunner, RunnerLoader } from './runner';
import { chooseRunner, runnerLoader } from './runner-choice';
import { mergeOptions } from './sampling';
import type {
  EmbedJob,
  EmbedResult,
  GenerateEvent,
  GenerateJob,
  LoadJob,
  Scheduler,
  SchedulerStats
} from './scheduler';
import { LoadedModel, type ContextWish } from './slots';

export const QUEUE_FULL_MESSAGE =
  'server busy, please try again.  maximum pending requests exceeded';

/**
 * Seconds a client refused by a full queue is told to wait. Nothing better is known up
 * front (answers take milliseconds to minutes); a short pause keeps retries from spinning.
 */
export const QUEUE_RETRY_AFTER_S = 2;

const queueFull = () =>
  new BusyError(QUEUE_FULL_MESSAGE, QUEUE_RETRY_AFTER_S, { code: 'server_busy' });

interface Waiter {
  resolved: ResolvedModel;
  wish: ContextWish;
  keepAliveMs: number;
  grant(entry: LoadedModel): void;
  refuse(error: Error): void;
}

interface Lease {
  entry: LoadedModel;
  runner: ModelRunner;
  slot: number;
  /** Time this request spent loading the model (0 when it was already loaded). */
  loadNs: number;
  options: Options;
}

export class ModelScheduler implements Scheduler {
  private readonly models = new Map<string, LoadedModel>();
  private readonly queue: Waiter[] = [];
  private readonly unloading = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly store: ModelStore,
    private readonly log: FastifyBaseLogger,
    private readonly loadRunner: RunnerLoader = runnerLoader(chooseRunner(config), config, log)
  ) {}

  ps(): ProcessModel[] {
    const now = Date.now();
    return [...this.models.values()]
      .filter((entry) => entry.state === 'ready')
      .map((entry) => ({
        name: entry.name,
        model: entry.name,
        size: entry.resolved.size,
        digest: entry.resolved.digest,
        details: entry.resolved.details,
        expires_at: entry.expiresAtIso(now),
        size_vram: 0,
        context_length: entry.runner?.contextSize
      }));
  }

  stats(): SchedulerStats {
    const models = [...this.models.values()];
    return {
      activeStreams: models.reduce((sum, m) => sum + m.reserved, 0),
      queueDepth: this.queue.length,
      maxQueue: this.config.maxQueue,
      numParallel: this.config.numParallel,
      maxLoadedModels: this.config.maxLoadedModels,
      models: models.map((m) => ({
        name: m.name,
        active: m.reserved,
        slots: m.slots,
        contextLength: m.runner?.contextSize ?? 0,
        expiresAt: m.expiresAt === null ? null : m.expiresAtIso(),
        state: m.state
      }))
    };
  }

  async load(job: LoadJob): Promise<{ model: string; loadDurationNs: number }> {
    const controller = new AbortController();
    const lease = await this.acquire(
      job.model,
      job.options,
      job.keepAliveMs,
      job.signal ?? controller.signal
    );
    this.release(lease, job.keepAliveMs);
    return { model: lease.entry.name, loadDurationNs: lease.loadNs };
  }

  async unload(model: string): Promise<boolean> {
    let name = model;
    try {
      name = (await this.store.resolve(model)).name;
    } catch {
      // A deleted model can still be resident; fall back to the name as given.
    }
    const entry = this.models.get(name);
    if (!entry) return false;
    if (entry.idle) await this.dropModel(entry);
    else entry.unloadWhenIdle = true;
    return true;
  }

  async *generate(job: GenerateJob): AsyncGenerator<GenerateEvent> {
    const started = performance.now();
    const lease = await this.acquire(job.model, job.options, job.keepAliveMs, job.signal);
    try {
      const run = lease.runner.generate(lease.slot, job, lease.options);
      let step = await run.next();
      while (!step.done) {
        yield { type: 'text', text: step.value };
        step = await run.next();
      }
      const { counts, ...outcome } = step.value;
      const metrics = {
        total_duration: Math.round((performance.now() - started) * 1e6),
        load_duration: lease.loadNs,
        ...counts
      };
      yield { type: 'done', result: { model: lease.entry.name, ...outcome, metrics } };
    } finally {
      this.release(lease, job.keepAliveMs);
    }
  }

  async embed(job: EmbedJob): Promise<EmbedResult> {
    const started = performance.now();
    const lease = await this.acquire(job.model, job.options, job.keepAliveMs, job.signal);
    try {
      const { embeddings, tokenCount } = await lease.runner.embed(job);
      return {
        model: lease.entry.name,
        embeddings,
        promptEvalCount: tokenCount,
        loadDurationNs: lease.loadNs,
        totalDurationNs: Math.round((performance.now() - started) * 1e6)
      };
    } finally {
      this.release(lease, job.keepAliveMs);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.queue.splice(0))
      waiter.refuse(new BusyError('server is shutting down'));
    await Promise.all([...this.models.values()].map((entry) => this.dropModel(entry)));
    await Promise.all(this.unloading);
  }

  /** Resolves the model, waits for a slot (loading the model if needed) and takes a sequence. */
  private async acquire(
    name: string,
    requestOptions: Options | undefined,
    keepAlive: number | undefined,
    signal: AbortSignal
  ): Promise<Lease> {
    if (this.closed) throw new BusyError('server is shutting down');
    const resolved = await this.store.resolve(name);
    if (signal.aborted) throw new AbortedError();
    const options = mergeOptions(resolved.parameters, requestOptions);
    const wish: ContextWish = {
      contextLength: options.num_ctx ?? this.config.contextLength,
      threads: options.num_thread || this.config.threads
    };
    const keepAliveMs = keepAlive ?? this.config.keepAliveMs;
    const waitStarted = performance.now();
    const entry = await new Promise<LoadedModel>((resolve, reject) => {
      let waiting = false;
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        if (waiting) reject(new AbortedError());
      };
      const waiter: Waiter = {
        resolved,
        wish,
        keepAliveMs,
        grant: (granted) => {
          signal.removeEventListener('abort', onAbort);
          resolve(granted);
        },
        refuse: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        }
      };
      if (this.tryGrant(waiter)) return;
      if (this.queue.length >= this.config.maxQueue) {
        reject(queueFull());
        return;
      }
      waiting = true;
      this.queue.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    let runner: ModelRunner;
    try {
      runner = await entry.ready;
      if (signal.aborted) throw new AbortedError();
    } catch (error) {
      this.giveBack(entry, undefined, keepAliveMs);
      throw error;
    }
    // A request that started the load reports its duration; one that found it loaded, 0.
    const startedLoad = entry.loadStartedAt >= waitStarted;
    return {
      entry,
      runner,
      slot: entry.takeSlot(),
      loadNs: startedLoad ? entry.loadDurationNs : 0,
      options
    };
  }

  /** Gives the waiter a slot now if one is free or can be made; false → it must queue. */
  private tryGrant(waiter: Waiter): boolean {
    let entry = this.models.get(waiter.resolved.name);
    // A runner whose process died serves no one: reload once its last lease is back.
    if (entry && entry.runner?.alive === false) entry.unloadWhenIdle = true;
    if (
      entry &&
      entry.idle &&
      entry.state === 'ready' &&
      (entry.unloadWhenIdle || entry.differsFrom(waiter.wish))
    ) {
      void this.dropModel(entry);
      entry = undefined;
    }
    if (entry) {
      if (!entry.hasFreeSlot() || entry.unloadWhenIdle) return false;
      entry.reserve();
      waiter.grant(entry);
      return true;
    }
    if (this.models.size >= this.config.maxLoadedModels) {
      const victim = [...this.models.values()]
        .filter((m) => m.idle && m.state === 'ready')
        .sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!victim) return false;
      void this.dropModel(victim);
    }
    entry = this.startLoad(waiter.resolved, waiter.wish, waiter.keepAliveMs);
    entry.reserve();
    waiter.grant(entry);
    return true;
  }

  private startLoad(resolved: ResolvedModel, wish: ContextWish, keepAliveMs: number): LoadedModel {
    const started = performance.now();
    // Let earlier unloads free their memory before the next model maps its weights.
    const previous = Promise.all(this.unloading);
    const ready = previous.then(() =>
      this.loadRunner({
        resolved,
        contextLength: wish.contextLength,
        sequences: this.config.numParallel,
        threads: wish.threads
      })
    );
    const entry = new LoadedModel(resolved, wish, this.config.numParallel, ready, keepAliveMs);
    entry.loadStartedAt = started;
    this.models.set(resolved.name, entry);
    ready.then(
      (runner) => {
        entry.loadDurationNs = Math.round((performance.now() - started) * 1e6);
        entry.markReady(runner);
        this.log.info({ model: resolved.name, contextSize: runner.contextSize }, 'model loaded');
      },
      (error: unknown) => {
        this.log.error({ model: resolved.name, err: error }, 'model load failed');
        if (this.models.get(resolved.name) === entry) this.models.delete(resolved.name);
        this.pump();
      }
    );
    return entry;
  }

  private release(lease: Lease, keepAlive: number | undefined): void {
    this.giveBack(lease.entry, lease.slot, keepAlive ?? this.config.keepAliveMs);
  }

  private giveBack(entry: LoadedModel, slot: number | undefined, keepAliveMs: number): void {
    const idle = entry.giveBack(slot, keepAliveMs);
    if (idle && this.models.get(entry.name) === entry) {
      if (
        entry.state !== 'ready' ||
        entry.unloadWhenIdle ||
        entry.runner?.alive === false ||
        keepAliveMs <= 0
      )
        void this.dropModel(entry);
      else entry.startExpiry(() => entry.idle && void this.dropModel(entry));
    }
    this.pump();
  }

  /** Serves queued requests, oldest first, that can now get a slot. */
  private pump(): void {
    for (let i = 0; i < this.queue.length;) {
      const waiter = this.queue[i];
      if (this.tryGrant(waiter)) this.queue.splice(i, 1);
      else i++;
    }
  }

  /** Forgets the model at once (so it no longer counts) and disposes it in the background. */
  private dropModel(entry: LoadedModel): Promise<void> {
    entry.clearTimer();
    if (this.models.get(entry.name) === entry) this.models.delete(entry.name);
    const disposal = entry.ready
      .then((runner) => runner.dispose())
      .catch((error: unknown) => this.log.warn({ model: entry.name, err: error }, 'unload failed'))
      .then(() => {
        this.unloading.delete(disposal);
        this.log.info({ model: entry.name }, 'model unloaded');
      });
    this.unloading.add(disposal);
    queueMicrotask(() => this.pump());
    return disposal;
  }
}
