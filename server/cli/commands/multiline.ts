/**
 * Ollama's multi-line messages in the chat: a line starting with """ opens a block, a
 * line ending with """ closes it, and everything in between, joined with newlines, is one
 * message. Lines inside a block are kept as typed (indentation matters in pasted code)
 * and are never read as /commands.
 */

const FENCE = '"""';

export type Entry =
  /** A line typed outside any block: a message or a /command. */
  | { kind: 'line'; text: string }
  /** A closed block: always a message, even when it starts with "/". */
  | { kind: 'block'; text: string }
  /** The line went into an open block; nothing to do yet. */
  | { kind: 'pending' };

export class MultilineInput {
  private lines: string[] | undefined;

  /** True while a block is open (the REPL shows its continuation prompt). */
  get open(): boolean {
    return this.lines !== undefined;
  }

  /** Drops a half-typed block (Ctrl+C). */
  reset(): void {
    this.lines = undefined;
  }

  push(raw: string): Entry {
    if (this.lines) {
      const end = raw.trimEnd();
      if (!end.endsWith(FENCE)) {
        this.lines.push(raw);
        return { kind: 'pending' };
      }
      const last = end.slice(0, -FENCE.length);
      if (last.trim() !== '') this.lines.push(last);
      return this.close();
    }
    const line = raw.trim();
    if (!line.startsWith(FENCE)) return { kind: 'line', text: line };
    const rest = line.slice(FENCE.length);
    // """a whole message""" on one line.
    if (rest.endsWith(FENCE)) return { kind: 'block', text: rest.slice(0, -FENCE.length) };
    this.lines = rest.trim() === '' ? [] : [rest];
    return { kind: 'pending' };
  }

  private close(): Entry {
    const text = (this.lines ?? []).join('\n');
    this.lines = undefined;
    return { kind: 'block', text };
  }
}
