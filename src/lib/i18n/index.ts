/**
 * i18n via svelte-i18n. Each concern keeps its strings in its own file per locale
 * (en/<namespace>.json, zh-CN/<namespace>.json) so features never edit one shared
 * dictionary; keys are read as `$t('<namespace>.<key>')`.
 */
import { addMessages, init, locale, getLocaleFromNavigator } from 'svelte-i18n';

type Dictionary = Parameters<typeof addMessages>[1];

export const LOCALES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' }
] as const;

export type LocaleCode = (typeof LOCALES)[number]['code'];

const dictionaries = import.meta.glob<Dictionary>('./*/*.json', {
  eager: true,
  import: 'default'
});

for (const [path, dict] of Object.entries(dictionaries)) {
  const [, code, file] = path.match(/^\.\/([^/]+)\/([^/]+)\.json$/)!;
  addMessages(code, { [file]: dict });
}

const STORAGE_KEY = 'hearth.locale';

/** The saved choice; none where storage is denied (a page framed by another site). */
function savedLocale(): string | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
  } catch {
    return null;
  }
}

export function pickLocale(): LocaleCode {
  const saved = savedLocale();
  if (saved && LOCALES.some((l) => l.code === saved)) return saved as LocaleCode;
  const nav = getLocaleFromNavigator() ?? 'en';
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

init({ fallbackLocale: 'en', initialLocale: typeof window === 'undefined' ? 'en' : pickLocale() });

// The page's language follows the UI's from the first render, so screen readers and
// fonts pick Chinese for a Chinese page even before anyone touches the language menu.
if (typeof document !== 'undefined')
  locale.subscribe((code) => {
    if (code) document.documentElement.lang = code;
  });

export function setLocale(code: LocaleCode): void {
  localStorage.setItem(STORAGE_KEY, code);
  locale.set(code);
}

export { t, locale } from 'svelte-i18n';
