/**
 * Streams text to the screen at most once per frame interval. A server can send thousands
 * of tokens a second; re-rendering the whole answer's markdown for each one is quadratic
 * and can take the tab down, while a person cannot read faster than ~20 updates a second.
 * A lone token (a slow engine) still shows at once; a burst is shown together.
 */
export const PACE_MS = 50;

export class PacedText {
  private pending = '';
  private shownAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly show: (text: string) => void,
    private readonly intervalMs = PACE_MS,
    private readonly now: () => number = () => Date.now()
  ) {}

  add(text: string): void {
    this.pending += text;
    if (this.now() - this.shownAt >= this.intervalMs) return this.flush();
    // Tokens held back must not wait for the next chunk, which may never come.
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Shows whatever is held back, now. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.shownAt = this.now();
    this.show(text);
  }
}
