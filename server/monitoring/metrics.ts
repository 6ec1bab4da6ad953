/**
 * The Prometheus metrics, in a registry of their own (not prom-client's global one), so
 * two apps in one process (tests) never share or double-register counters. Labels carry
 * route patterns, never raw URLs, and only the inference metrics carry a model name, so
 * the number of series stays bounded however clients spell their requests.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { runnersResidentBytes } from '../runtime/llama-server-process';
import type { SchedulerStats } from '../runtime/scheduler';

export interface GenerationSample {
  model: string;
  promptTokens: number;
  evalTokens: number;
  evalDurationNs: number;
}

export class HearthMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly promptTokens: Counter<'model'>;
  private readonly generatedTokens: Counter<'model'>;
  private readonly decodeSpeed: Histogram<'model'>;
  private readonly loadFailures: Counter<'model'>;

  /** `stats` and `recentRates` are read at scrape time, so gauges are never stale. */
  constructor(stats: () => SchedulerStats, recentRates: () => Record<string, number>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'hearth_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers
    });
    this.latency = new Histogram({
      name: 'hearth_http_request_duration_seconds',
      help: 'Time from request to the end of the response (whole stream for streamed answers)',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers
    });
    this.promptTokens = new Counter({
      name: 'hearth_prompt_tokens_total',
      help: 'Prompt tokens evaluated (generation prompts and embedding inputs), by model',
      labelNames: ['model'],
      registers
    });
    this.generatedTokens = new Counter({
      name: 'hearth_generated_tokens_total',
      help: 'Tokens generated, by model',
      labelNames: ['model'],
      registers
    });
    this.decodeSpeed = new Histogram({
      name: 'hearth_generation_tokens_per_second',
      help: 'Decode speed of each finished generation, by model',
      labelNames: ['model'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers
    });
    this.loadFailures = new Counter({
      name: 'hearth_model_load_failures_total',
      help: 'Model loads that failed, by model',
      labelNames: ['model'],
      registers
    });
    new Gauge({
      name: 'hearth_recent_tokens_per_second',
      help: 'Decode speed over the last few minutes, by model (absent when idle)',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        for (const [model, rate] of Object.entries(recentRates())) this.set({ model }, rate);
      }
    });
    const fromStats = (name: string, help: string, read: (s: SchedulerStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(stats()));
        }
      });
    fromStats('hearth_queue_depth', 'Requests waiting for a model slot', (s) => s.queueDepth);
    fromStats('hearth_active_streams', 'Requests holding a model slot', (s) => s.activeStreams);
    fromStats('hearth_loaded_models', 'Models resident (loading or ready)', (s) => s.models.length);
    fromStats('hearth_max_queue', 'Configured queue limit (OLLAMA_MAX_QUEUE)', (s) => s.maxQueue);
    // With the llama-server runner the models' memory is in those processes, not in
    // process_resident_memory_bytes.
    new Gauge({
      name: 'hearth_runner_resident_memory_bytes',
      help: "Resident memory of this server's llama-server processes (0 when models run in-process)",
      registers,
      collect() {
        this.set(runnersResidentBytes());
      }
    });
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  generation(sample: GenerationSample): void {
    const { model } = sample;
    if (sample.promptTokens > 0) this.promptTokens.inc({ model }, sample.promptTokens);
    if (sample.evalTokens > 0) {
      this.generatedTokens.inc({ model }, sample.evalTokens);
      if (sample.evalDurationNs > 0)
        this.decodeSpeed.observe({ model }, sample.evalTokens / (sample.evalDurationNs / 1e9));
    }
  }

  loadFailed(model: string): void {
    this.loadFailures.inc({ model });
  }
}
