/**
 * Contract for the scheduler (implementation beside this file): it owns loaded models,
 * their parallel slots, the bounded queue and keep_alive expiry, and runs generation and
 * embedding on them. The HTTP layers (api/inference.ts, api/openai.ts), the CLI and the
 * admin status page code against this interface only.
 */
import type { SchedulerModelStats, SchedulerStats } from '#protocol/portal/types';
import type {
  Format,
  Message,
  Metrics,
  Options,
  ProcessModel,
  Tool,
  ToolCall
} from '#protocol/ollama/types';

/** What to turn into a prompt: an /api/generate-style prompt or a chat transcript. */
export type PromptInput =
  | {
      kind: 'generate';
      prompt: string;
      /** Overrides the model's system prompt. */
      system?: string;
      suffix?: string;
      /** Overrides the model's template for this request. */
      template?: string;
      /** Skip templating: the prompt is sent as is. */
      raw?: boolean;
      /** Tokens returned by an earlier generate's final chunk, to continue from. */
      context?: number[];
    }
  | { kind: 'chat'; messages: Message[]; tools?: Tool[] };

export interface GenerateJob {
  model: string;
  input: PromptInput;
  options?: Options;
  format?: Format;
  /**
   * A prompt longer than the context: cut from the oldest end (true, Ollama's default) or
   * refused with Ollama's "input length exceeds the context length" (false).
   */
  truncate?: boolean;
  /** Milliseconds; Infinity = forever, 0 = unload when done; undefined = server default. */
  keepAliveMs?: number;
  /** Aborting cancels queueing or generation and frees the slot at once. */
  signal: AbortSignal;
}

export interface GenerateResult {
  /** The resolved model name ("stories:latest"). */
  model: string;
  doneReason: 'stop' | 'length';
  /** All text produced (with tool calls, the text that was not a tool call). */
  text: string;
  toolCalls?: ToolCall[];
  /** Prompt plus response tokens, for generate's `context`. */
  context: number[];
  metrics: Required<Metrics>;
}

export type GenerateEvent =
  { type: 'text'; text: string } | { type: 'done'; result: GenerateResult };

export interface EmbedJob {
  model: string;
  input: string[];
  /** Truncate inputs longer than the context (default true); false → error. */
  truncate?: boolean;
  options?: Options;
  keepAliveMs?: number;
  signal: AbortSignal;
}

export interface EmbedResult {
  model: string;
  /** L2-normalized, as Ollama returns them. */
  embeddings: number[][];
  promptEvalCount: number;
  loadDurationNs: number;
  totalDurationNs: number;
}

export interface LoadJob {
  model: string;
  options?: Options;
  keepAliveMs?: number;
  signal?: AbortSignal;
}

export interface Scheduler {
  /** Loaded models, as /api/ps reports them. */
  ps(): ProcessModel[];
  /** Live counters for monitoring (admin status page, CLI). */
  stats(): SchedulerStats;
  /** Loads (or refreshes keep_alive of) a model without generating; empty-prompt requests. */
  load(job: LoadJob): Promise<{ model: string; loadDurationNs: number }>;
  /** Unloads a model now if idle, or as soon as its running requests finish. False if not loaded. */
  unload(model: string): Promise<boolean>;
  /**
   * Streams text chunks, then one `done` event. Throws a DomainError (bad input, unknown
   * model, busy) before the first event.
   */
  generate(job: GenerateJob): AsyncGenerator<GenerateEvent>;
  embed(job: EmbedJob): Promise<EmbedResult>;
  /** Unloads every model and stops timers (server shutdown, tests). */
  close(): Promise<void>;
}

export type { SchedulerModelStats, SchedulerStats };
