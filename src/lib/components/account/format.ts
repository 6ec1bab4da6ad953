/** Dates as the admin pages show them: local time, in the page's language. */
export function formatTime(iso: string | null | undefined, locale: string | null | undefined) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale ?? undefined, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit'
  });
}

/** A thrown value as the message to show; ApiError already carries the server's text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
