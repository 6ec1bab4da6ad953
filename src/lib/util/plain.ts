/**
 * A deep copy of JSON-shaped data. Objects that passed through Svelte's $state are
 * proxies, and IndexedDB's structured clone refuses proxies (DataCloneError), so records
 * are copied to plain objects before they are stored.
 */
export function toPlain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
