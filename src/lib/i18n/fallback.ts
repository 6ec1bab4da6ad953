/** Translated text with an English fallback when the key is missing (svelte-i18n returns the key). */
export type Translator = (
  id: string,
  options?: { values?: Record<string, string | number> }
) => string;

export function tOr(
  t: Translator,
  key: string,
  values: Record<string, string | number> | undefined,
  fallback: string
): string {
  const text = t(key, { values });
  return text && text !== key ? text : fallback;
}
