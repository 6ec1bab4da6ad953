/**
 * keep_alive parsing with Ollama's meaning: a Go-style duration string ("5m", "1h30m",
 * "300ms"), a number of seconds, or a negative value meaning "keep loaded forever".
 * Returns milliseconds; Infinity for forever; 0 for "unload now".
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
};

export function parseKeepAlive(value: string | number | undefined, fallbackMs: number): number {
  if (value === undefined || value === null || value === '') return fallbackMs;
  if (typeof value === 'number') return value < 0 ? Infinity : value * 1000;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseKeepAlive(Number(text), fallbackMs);
  if (text.startsWith('-')) return Infinity;
  // Sticky: each piece must start where the last ended. A scanning (global) search
  // retries from every offset, which is quadratic on a long run of digits.
  const piece = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  while (piece.lastIndex < text.length) {
    const match = piece.exec(text);
    if (!match) throw new Error(`invalid duration "${value}"`);
    total += Number(match[1]) * UNIT_MS[match[2]];
  }
  return total;
}
