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
  const parts = text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g);
  let total = 0;
  let consumed = 0;
  for (const [whole, amount, unit] of parts) {
    total += Number(amount) * UNIT_MS[unit];
    consumed += whole.length;
  }
  if (consumed !== text.length) throw new Error(`invalid duration "${value}"`);
  return total;
}
