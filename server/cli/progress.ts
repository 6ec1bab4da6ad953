/**
 * Progress for pull, create and blob uploads. On a terminal: one cli-progress bar per
 * layer (digest, percent, bytes, speed, time left) with status lines above them. Piped:
 * each status once, so logs and tests stay readable.
 */
import cliProgress from 'cli-progress';
import type { ProgressResponse } from '#protocol/ollama/types';
import { humanBytes, shortDigest } from './format';

interface BarState {
  bar?: cliProgress.SingleBar;
  label: string;
  startedAt: number;
  startBytes: number;
  done: boolean;
  lastPrinted?: string;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

export class ProgressDisplay {
  private readonly tty: boolean;
  /** Live only while some layer is downloading: cli-progress owns the screen then. */
  private multibar?: cliProgress.MultiBar;
  private readonly bars = new Map<string, BarState>();
  private lastStatus = '';

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY);
  }

  private startBars(): cliProgress.MultiBar {
    this.multibar ??= new cliProgress.MultiBar(
      {
        stream: this.out,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barCompleteChar: '█',
        barIncompleteChar: ' ',
        barsize: 24,
        format: (options, params, payload: { label: string; speed: string; eta: string }) => {
          const size = options.barsize ?? 24;
          const filled = Math.round(params.progress * size);
          const bar = '█'.repeat(filled) + ' '.repeat(Math.max(0, size - filled));
          const percent = `${Math.floor(params.progress * 100)}%`.padStart(4);
          const bytes = `${humanBytes(params.value)}/${humanBytes(params.total)}`;
          return `${payload.label}: ${percent} ▕${bar}▏ ${bytes}  ${payload.speed}  ${payload.eta}`.trimEnd();
        }
      },
      cliProgress.Presets.shades_classic
    );
    return this.multibar;
  }

  /**
   * Draws the bars one last time and hands the screen back. cli-progress prints logged
   * lines only on its next redraw, so without the final update the last statuses
   * ("writing manifest", "success") would never appear.
   */
  private finishBars(): void {
    if (!this.multibar) return;
    this.multibar.update();
    this.multibar.stop();
    this.multibar = undefined;
  }

  private print(line: string): void {
    // Statuses after the downloads ("verifying sha256 digest", …) go below the bars.
    if (this.multibar && [...this.bars.values()].every((state) => state.done)) this.finishBars();
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.out.write(`${line}\n`);
  }

  /** A status line, shown once however often the server repeats it. */
  status(text: string): void {
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.print(text);
  }

  /** Advances the bar for one layer (or upload), creating it on first sight. */
  bytes(key: string, label: string, completed: number, total: number): void {
    let state = this.bars.get(key);
    if (!state) {
      state = { label, startedAt: Date.now(), startBytes: completed, done: false };
      this.bars.set(key, state);
      if (this.tty)
        state.bar = this.startBars().create(total, completed, { label, speed: '', eta: '' });
    }
    state.done = completed >= total;
    const elapsed = (Date.now() - state.startedAt) / 1000;
    const rate = elapsed > 0.2 ? (completed - state.startBytes) / elapsed : 0;
    const speed = rate > 0 ? `${humanBytes(rate)}/s` : '';
    const eta = rate > 0 && completed < total ? formatSeconds((total - completed) / rate) : '';
    if (state.bar) {
      state.bar.setTotal(total);
      state.bar.update(completed, { label, speed, eta });
      return;
    }
    // Piped: report start and completion only.
    const summary =
      completed >= total ? `${label}: 100% ${humanBytes(total)}` : `${label}: ${humanBytes(total)}`;
    if (summary !== state.lastPrinted && (completed >= total || state.lastPrinted === undefined)) {
      state.lastPrinted = summary;
      this.out.write(`${summary}\n`);
    }
  }

  /** Renders one streamed create/pull event. */
  event(event: ProgressResponse): void {
    if (event.digest && typeof event.total === 'number' && event.total > 0) {
      const label = event.status.startsWith('pulling ')
        ? `pulling ${shortDigest(event.digest)}`
        : event.status;
      this.bytes(event.digest, label, event.completed ?? 0, event.total);
      return;
    }
    this.status(event.status);
  }

  stop(): void {
    this.finishBars();
  }
}
