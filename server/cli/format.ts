/**
 * Terminal formatting in Ollama's style, so `hearth list` output reads like `ollama list`:
 * decimal byte units ("4.7 GB"), relative times ("2 weeks ago", "4 minutes from now"),
 * and borderless aligned columns.
 */
const BYTE_UNITS: Array<[number, string]> = [
  [1e12, 'TB'],
  [1e9, 'GB'],
  [1e6, 'MB'],
  [1e3, 'KB']
];

export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  for (const [size, unit] of BYTE_UNITS) {
    if (bytes < size) continue;
    const value = bytes / size;
    if (value >= 10 || Number.isInteger(value)) return `${Math.floor(value)} ${unit}`;
    return `${value.toFixed(1)} ${unit}`;
  }
  return `${Math.round(bytes)} B`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** How long a span feels, in the coarse words a listing needs. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 14) return plural(days, 'day');
  if (days < 90) return plural(Math.floor(days / 7), 'week');
  if (days < 730) return plural(Math.floor(days / 30), 'month');
  return plural(Math.floor(days / 365), 'year');
}

/** "3 days ago" / "4 minutes from now"; far-future expiries (keep_alive -1) are "Forever". */
export function humanTime(date: Date, now = new Date()): string {
  const time = date.getTime();
  if (!Number.isFinite(time) || time <= 0) return 'Never';
  const delta = time - now.getTime();
  if (delta > 50 * 365 * 24 * 3600 * 1000) return 'Forever';
  if (delta > 0) return `${humanDuration(delta)} from now`;
  return `${humanDuration(-delta)} ago`;
}

/** Short form of a sha256 digest as listings show it (12 hex characters). */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256[:-]/, '').slice(0, 12);
}

/** Left-aligned columns separated by at least four spaces, like Go's tabwriter output. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length))
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] + 4))
      .join('')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Ollama's PROCESSOR column: where the model's weights live. */
export function processorSplit(size: number, sizeVram: number): string {
  if (size <= 0 || sizeVram <= 0) return '100% CPU';
  if (sizeVram >= size) return '100% GPU';
  const gpu = Math.round((sizeVram / size) * 100);
  return `${100 - gpu}%/${gpu}% CPU/GPU`;
}
