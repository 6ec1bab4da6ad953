/**
 * Keeps parallel streams on one context in step, so they share llama_decode calls.
 *
 * node-llama-cpp dispatches queued tokens on the next event-loop turn. Each stream's next
 * token is queued only after its previous one was sampled and its text passed on, and
 * those completions arrive on different turns, so with the default schedule two streams
 * decoded one token per call (measured: 127 calls for 128 tokens) and four fell to 1.6–3
 * tokens per call. The gate holds a dispatch until every running stream is waiting for
 * its next token, or for a short while at most, so one slow reader (a client not reading
 * its socket) delays the others by no more than MAX_HOLD_MS and is never waited for again
 * in that batch. Measured on 110M q4_0 with four streams of 64 tokens: 86 decode calls
 * before, 64 with the gate (one per token, all four streams in each).
 *
 * "Waiting" means queued in the context, not merely awaiting: a stream whose token of the
 * last batch is still being sampled is awaiting too, yet will only queue its next token
 * after the batch ends. The queue's size is node-llama-cpp's internal
 * `_queuedDecodeSequenceIds`; a test pins it, so an upgrade that renames it fails there
 * rather than quietly losing the batching.
 */

/** Longest a batch waits for streams that have not asked for their next token yet. */
export const MAX_HOLD_MS = 2;
/** Event-loop turns to wait before falling back to a timer (cheap, and usually enough). */
const IMMEDIATE_TURNS = 8;
/**
 * Empty rounds node-llama-cpp's batch loop may spin (microtasks, no decode) waiting for a
 * stream's next token before it decodes without it; bounded, so it never starves I/O.
 */
const MAX_EMPTY_ROUNDS = 64;

interface BatchItem {
  readonly tokens: readonly unknown[];
}

export class DecodeGate {
  /** Streams between their first evaluation and their end. */
  private running = 0;
  private queue?: { readonly size: number };
  /** Batches formed so far: each is one llama_decode call. */
  batches = 0;

  /** Reads the context's queue of sequences with tokens waiting to be decoded. */
  attach(context: object): void {
    const queue = (context as { _queuedDecodeSequenceIds?: unknown })._queuedDecodeSequenceIds;
    if (queue instanceof Set) this.queue = queue;
  }

  /** False when node-llama-cpp no longer exposes its queue (the gate then never holds). */
  get seesQueue(): boolean {
    return this.queue !== undefined;
  }

  /** True once every running stream has queued its next token (or without the queue view). */
  get allQueued(): boolean {
    return !this.queue || this.queue.size >= this.running;
  }

  /** node-llama-cpp's `batching.dispatchSchedule`. */
  readonly schedule = (dispatch: () => void): void => {
    const started = performance.now();
    let turns = 0;
    const check = () => {
      if (this.allQueued || performance.now() - started >= MAX_HOLD_MS) {
        dispatch();
      } else if (++turns < IMMEDIATE_TURNS) setImmediate(check);
      else setTimeout(check, 0);
    };
    setImmediate(check);
  };

  private emptyRounds = 0;

  /**
   * node-llama-cpp's `batching.itemPrioritizationStrategy`. Its batch loop decodes again as
   * soon as anything is queued, without going back to the dispatch schedule, so the stream
   * whose token was sampled first would go alone and the streams stay out of step. Answering
   * "nothing yet" for a few rounds lets the others queue; then every queued sequence gets a
   * fair share of the batch (short items whole, long prompts split among the rest).
   */
  readonly prioritize = <T extends BatchItem>({
    items,
    size
  }: {
    items: readonly T[];
    size: number;
  }) => {
    if (!this.allQueued && this.emptyRounds++ < MAX_EMPTY_ROUNDS) return [];
    this.emptyRounds = 0;
    const shortestFirst = [...items].sort((a, b) => a.tokens.length - b.tokens.length);
    let left = size;
    const batch: { item: T; processAmount: number }[] = [];
    shortestFirst.forEach((item, i) => {
      const amount = Math.min(item.tokens.length, Math.floor(left / (shortestFirst.length - i)));
      if (amount <= 0) return;
      batch.push({ item, processAmount: amount });
      left -= amount;
    });
    if (batch.length > 0) this.batches++;
    return batch;
  };

  /** Counts one stream as running until `end` is called. */
  start(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (!ended) this.running--;
      ended = true;
    };
  }
}
