/** Download progress with speed over a short sliding window (a whole-run average hides stalls). */
export interface DownloadProgress {
  bytes: number;
  /** 0 when the server did not say. */
  total: number;
  /** Bytes per second over the last few seconds. */
  speed: number;
  /** Seconds left; null when the total or the speed is unknown. */
  eta: number | null;
}

const WINDOW_MS = 5000;

export class ProgressTracker {
  private samples: Array<{ t: number; bytes: number }> = [];

  constructor(
    private total: number,
    private readonly now: () => number = () => Date.now()
  ) {}

  setTotal(total: number): void {
    this.total = total;
  }

  update(bytes: number): DownloadProgress {
    const t = this.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const elapsed = (t - first.t) / 1000;
    const speed = elapsed > 0 ? (bytes - first.bytes) / elapsed : 0;
    const eta = this.total > 0 && speed > 0 ? Math.max(0, (this.total - bytes) / speed) : null;
    return { bytes, total: this.total, speed, eta };
  }
}
