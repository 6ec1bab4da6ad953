/**
 * Where browsers fetch the catalog's model weights: Hugging Face, a mirror with its layout
 * (hf-mirror.com, an intranet proxy), ModelScope, or a plain folder on the LAN holding the
 * GGUF files by name. A user picks one in Settings; a portal's administrator sets the
 * default for its users. The server (which stores that default) and the app (which stores
 * the user's choice) validate with the same rules here. Plain code, no zod: the app
 * imports it at runtime.
 */

export const MODEL_SOURCE_KINDS = ['huggingface', 'hf-mirror', 'modelscope', 'lan'] as const;
export type ModelSourceKind = (typeof MODEL_SOURCE_KINDS)[number];

export interface ModelSourceSetting {
  kind: ModelSourceKind;
  /**
   * hf-mirror: the mirror's base URL; lan: the folder's URL. modelscope: an optional
   * Hugging Face mirror for the models ModelScope does not carry. Never set for huggingface.
   */
  url?: string;
}

export const HUGGING_FACE: ModelSourceSetting = { kind: 'huggingface' };

/** Whether a kind of source needs a URL beside it. */
export function sourceUrlRule(kind: ModelSourceKind): 'required' | 'optional' | 'none' {
  if (kind === 'hf-mirror' || kind === 'lan') return 'required';
  return kind === 'modelscope' ? 'optional' : 'none';
}

export const SOURCE_URL_MAX = 2000;

export type SourceUrlProblem = 'missing' | 'invalid' | 'scheme' | 'credentials' | 'query' | 'long';

/** English wording for the server's 400s; the app says the same in its own catalogs. */
export const SOURCE_URL_PROBLEMS: Record<SourceUrlProblem, string> = {
  missing: 'this source needs a URL',
  invalid: 'must be a full URL, such as https://hf-mirror.com',
  scheme: 'must start with http:// or https://',
  credentials: 'must not contain a user name or password (they would be stored and shown)',
  query: 'must not contain "?" or "#": file paths are added to its end',
  long: `must be at most ${SOURCE_URL_MAX} characters`
};

export type SourceUrlCheck = { ok: true; url: string } | { ok: false; problem: SourceUrlProblem };

/**
 * A base URL file paths can be appended to: http or https only (a javascript: or file: URL
 * must never reach fetch or a link), no credentials (a settings value is shown to every
 * user of a portal), no query or fragment. Returned without trailing slashes.
 */
export function checkSourceUrl(text: string): SourceUrlCheck {
  const raw = text.trim();
  if (!raw) return { ok: false, problem: 'missing' };
  if (raw.length > SOURCE_URL_MAX) return { ok: false, problem: 'long' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'invalid' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, problem: 'scheme' };
  if (url.username || url.password) return { ok: false, problem: 'credentials' };
  if (raw.includes('?') || raw.includes('#')) return { ok: false, problem: 'query' };
  return { ok: true, url: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}` };
}

export type ModelSourceCheck =
  { ok: true; setting: ModelSourceSetting } | { ok: false; problem: SourceUrlProblem };

/** A whole setting, normalized: the URL checked where the kind takes one, dropped where not. */
export function checkModelSource(input: { kind: ModelSourceKind; url?: string }): ModelSourceCheck {
  const rule = sourceUrlRule(input.kind);
  const text = input.url?.trim() ?? '';
  if (rule === 'none' || (rule === 'optional' && !text))
    return { ok: true, setting: { kind: input.kind } };
  const url = checkSourceUrl(text);
  return url.ok ? { ok: true, setting: { kind: input.kind, url: url.url } } : url;
}

/** A stored or received value that is a valid setting, normalized; null for anything else. */
export function readModelSource(value: unknown): ModelSourceSetting | null {
  if (!value || typeof value !== 'object') return null;
  const { kind, url } = value as { kind?: unknown; url?: unknown };
  if (!MODEL_SOURCE_KINDS.includes(kind as ModelSourceKind)) return null;
  if (url !== undefined && typeof url !== 'string') return null;
  const checked = checkModelSource({ kind: kind as ModelSourceKind, url });
  return checked.ok ? checked.setting : null;
}
