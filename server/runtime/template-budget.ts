/**
 * Resource budgets for template rendering. Templates come from clients (`template` in
 * /api/generate) and from Modelfiles, and rendering runs on the event loop, so every
 * source of work is counted: one step per node and per operand, plus steps in proportion
 * to the bytes a function builds or compares. The defaults keep the most expensive
 * template that fits the budget well under a few tens of milliseconds.
 */
import { TemplateError } from './template-error';

export interface TemplateLimits {
  /**
   * Wall-clock milliseconds a render may take: a backstop for work the step count
   * prices too low, so no template holds the event loop longer than this.
   */
  maxMillis: number;
  /** Units of work: node executions, operand evaluations, and bytes built / STEP_BYTES. */
  maxSteps: number;
  /** Characters of rendered output. */
  maxOutput: number;
  /** Items one {{ range }} may visit (integers, list elements or map keys). */
  maxRange: number;
}

/** Bytes of building, copying or comparing strings that count as one step. */
export const STEP_BYTES = 32;

/** Longest template source accepted; Ollama's library templates are a few KiB. */
export const MAX_TEMPLATE_LENGTH = 64 * 1024;
/** Deepest nesting of blocks and parentheses; real templates nest fewer than ten. */
export const MAX_TEMPLATE_DEPTH = 64;

/**
 * 120k steps render a chat of several thousand messages through a llama-style template;
 * spending all of them on the costliest operations takes roughly 10–25 ms of CPU on a
 * small server (the request's own size may add more: see template-prompt.ts). The clock
 * is a generous backstop for mispriced work only, so that a loaded machine's pauses
 * never fail an ordinary render.
 */
export const DEFAULT_LIMITS: TemplateLimits = {
  maxMillis: 250,
  maxSteps: 120_000,
  maxOutput: 4 * 1024 * 1024,
  maxRange: 100_000
};

/** Steps between looks at the clock; reading it is cheap, but not free. */
const CLOCK_EVERY = 512;

/** Counts work across one or more renders (a legacy chat renders once per turn). */
export class RenderBudget {
  private steps = 0;
  private output = 0;
  private nextClockCheck = CLOCK_EVERY;
  private readonly deadline: number;
  readonly limits: TemplateLimits;

  constructor(limits: Partial<TemplateLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.deadline = performance.now() + this.limits.maxMillis;
  }

  step(count = 1): void {
    this.steps += count;
    if (this.steps > this.limits.maxSteps)
      throw new TemplateError(
        `rendering exceeded the budget of ${this.limits.maxSteps} steps (a range too long or nested too deep?)`,
        'limit'
      );
    if (this.steps >= this.nextClockCheck) {
      this.nextClockCheck = this.steps + CLOCK_EVERY;
      if (performance.now() > this.deadline)
        throw new TemplateError(`rendering took longer than ${this.limits.maxMillis} ms`, 'limit');
    }
  }

  /** Charges for building or scanning `length` characters. */
  bytes(length: number): void {
    if (length > STEP_BYTES) this.step(Math.ceil(length / STEP_BYTES));
  }

  emit(length: number): void {
    this.output += length;
    if (this.output > this.limits.maxOutput)
      throw new TemplateError(
        `rendered output exceeds the limit of ${this.limits.maxOutput} characters`,
        'limit'
      );
  }

  range(count: number): void {
    if (count > this.limits.maxRange)
      throw new TemplateError(
        `range over ${count} items exceeds the limit of ${this.limits.maxRange}`,
        'limit'
      );
  }
}
