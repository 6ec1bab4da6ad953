/**
 * An answer's text as it streams, whichever runner produced the pieces: the stop strings
 * in effect (the prompt format's, the request's and the grammar's triggers), text held
 * back while it might be the start of a stop string, and the grammar's whitespace trim.
 */
import type { LlamaGrammar } from 'node-llama-cpp';
import type { Options } from '#protocol/ollama/types';

export interface AnswerRules {
  stops: string[];
  /** The grammar ends in whitespace the answer must not keep (node-llama-cpp's JSON). */
  trimSuffix: boolean;
}

export function answerRules(
  formatStops: string[],
  options: Options,
  grammar: LlamaGrammar | undefined
): AnswerRules {
  const stops = [...new Set([...formatStops, ...(options.stop ?? [])].filter((s) => s.length > 0))];
  for (const trigger of grammar?.stopGenerationTriggers ?? []) {
    const parts = (
      typeof trigger === 'string'
        ? [trigger]
        : Array.isArray(trigger)
          ? trigger
          : (trigger as unknown as { values: unknown[] }).values
    ) as readonly unknown[];
    const text = parts.filter((v): v is string => typeof v === 'string').join('');
    if (text) stops.push(text);
  }
  return { stops, trimSuffix: grammar?.trimWhitespaceSuffix === true };
}

/** Length of the longest suffix of `text` that begins some stop string. */
export function heldBackLength(text: string, stops: string[]): number {
  let held = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > held; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        held = n;
        break;
      }
    }
  }
  return held;
}

function firstStop(text: string, stops: string[]): number {
  let first = -1;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

export class AnswerText {
  /** Everything shown so far. */
  emitted = '';
  /** True once a stop string appeared: the answer ends there. */
  stopped = false;
  private pending = '';

  constructor(private readonly rules: AnswerRules) {}

  /** Adds a piece of the answer; returns the text now safe to show ('' for none yet). */
  push(piece: string): string {
    this.pending += piece;
    const hit = firstStop(this.pending, this.rules.stops);
    if (hit >= 0) {
      this.stopped = true;
      return this.take(hit);
    }
    let held = heldBackLength(this.pending, this.rules.stops);
    if (this.rules.trimSuffix)
      held = Math.max(held, this.pending.length - this.pending.trimEnd().length);
    return this.take(this.pending.length - held);
  }

  /** The held-back rest once the answer is over (nothing after a stop string). */
  end(): string {
    if (this.stopped) return '';
    const rest = this.rules.trimSuffix ? this.pending.trimEnd() : this.pending;
    this.pending = '';
    this.emitted += rest;
    return rest;
  }

  private take(length: number): string {
    const ready = this.pending.slice(0, length);
    this.pending = this.stopped ? '' : this.pending.slice(length);
    this.emitted += ready;
    return ready;
  }
}
