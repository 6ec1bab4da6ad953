/** Random ids for conversations and messages (crypto.randomUUID needs a secure context). */
export function newId(): string {
  if (
    typeof crypto !== 'undefined' &&
    'randomUUID' in crypto &&
    globalThis.isSecureContext !== false
  ) {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
