/**
 * Where a catalog model's weights are fetched from under the chosen model source. The
 * catalog keeps each built-in GGUF's canonical Hugging Face URL; the URL actually fetched
 * is derived here, at download time, so changing the source never rewrites stored entries
 * and every source is verified against the same expected bytes. Pure: no storage, no
 * network (the preference itself lives in ./source-prefs).
 */
import {
  HUGGING_FACE,
  type ModelSourceKind,
  type ModelSourceSetting
} from '#protocol/portal/model-source';
import type { CatalogModel } from './types';

export const HF_BASE = 'https://huggingface.co';
export const MODELSCOPE_BASE = 'https://modelscope.cn';

/**
 * Hugging Face repos known to be published on ModelScope, and under which name there. Only
 * repos checked by hand belong here: for the others ModelScope is not guessed at, and the
 * download falls back to the mirror (or Hugging Face) with the UI saying so.
 */
export const MODELSCOPE_REPOS: Readonly<Record<string, string>> = {
  'Qwen/Qwen2.5-0.5B-Instruct-GGUF': 'Qwen/Qwen2.5-0.5B-Instruct-GGUF'
};

interface HubFile {
  repo: string;
  revision: string;
  /** The file's path inside the repo, as it appears in the URL (already escaped). */
  path: string;
}

const HF_RESOLVE = /^https:\/\/huggingface\.co\/([^/?#]+\/[^/?#]+)\/resolve\/([^/?#]+)\/([^?#]+)$/;

export function parseHfUrl(url: string): HubFile | null {
  const m = HF_RESOLVE.exec(url);
  return m ? { repo: m[1], revision: m[2], path: m[3] } : null;
}

/** The same path under another base with Hugging Face's layout (a mirror, a proxy). */
export function rebaseHfUrl(url: string, base: string): string {
  return url.startsWith(`${HF_BASE}/`) ? `${base}${url.slice(HF_BASE.length)}` : url;
}

export interface ResolvedUrl {
  url: string;
  /** The source the bytes come from; 'as-is' for a URL the user typed or a portal listed. */
  via: ModelSourceKind | 'as-is';
  /** The chosen source does not carry this model: `via` names the fallback. */
  missing: boolean;
}

function mirrorOr(source: ModelSourceSetting, url: string, missing: boolean): ResolvedUrl {
  return source.url
    ? { url: rebaseHfUrl(url, source.url), via: 'hf-mirror', missing }
    : { url, via: 'huggingface', missing };
}

/**
 * The URL a GGUF download fetches. Only built-in entries follow the source: a URL the user
 * typed, or one a portal listed, is fetched exactly as given. Null for models that are not
 * downloaded by URL.
 */
export function resolveModelUrl(
  model: CatalogModel,
  source: ModelSourceSetting = HUGGING_FACE
): ResolvedUrl | null {
  if (model.source.kind !== 'url') return null;
  const canonical = model.source.url;
  const file = model.builtin ? parseHfUrl(canonical) : null;
  if (!file) return { url: canonical, via: 'as-is', missing: false };
  switch (source.kind) {
    case 'huggingface':
      return { url: canonical, via: 'huggingface', missing: false };
    case 'hf-mirror':
      return mirrorOr(source, canonical, false);
    case 'modelscope': {
      const repo = MODELSCOPE_REPOS[file.repo];
      // ModelScope's default branch is "master"; a pinned Hugging Face commit has no twin there.
      if (!repo || file.revision !== 'main') return mirrorOr(source, canonical, true);
      return {
        url: `${MODELSCOPE_BASE}/models/${repo}/resolve/master/${file.path}`,
        via: 'modelscope',
        missing: false
      };
    }
    case 'lan': {
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      return { url: `${source.url}/${name}`, via: 'lan', missing: false };
    }
  }
}

/**
 * The Hugging Face-layout base web-llm fetches MLC weights from. ModelScope and LAN folders
 * hold GGUF files only, so MLC models come from the mirror given beside ModelScope, or
 * from Hugging Face. (Their compiled model libraries stay on GitHub, as web-llm lists them.)
 */
export function mlcHub(source: ModelSourceSetting = HUGGING_FACE): {
  base: string;
  via: 'huggingface' | 'hf-mirror';
  missing: boolean;
} {
  const missing = source.kind === 'modelscope' || source.kind === 'lan';
  const mirror =
    source.kind === 'hf-mirror' || source.kind === 'modelscope' ? source.url : undefined;
  return mirror
    ? { base: mirror, via: 'hf-mirror', missing }
    : { base: HF_BASE, via: 'huggingface', missing };
}

export interface DownloadOrigin {
  /** Host the bytes come from; null for a same-origin path (a portal's own blob URL). */
  host: string | null;
  via: ResolvedUrl['via'];
  missing: boolean;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** Where a model will come from, for the catalog to show before anything is downloaded. */
export function downloadOrigin(
  model: CatalogModel,
  source: ModelSourceSetting = HUGGING_FACE
): DownloadOrigin | null {
  if (model.source.kind === 'mlc-prebuilt') {
    const hub = mlcHub(source);
    return { host: hostOf(hub.base), via: hub.via, missing: hub.missing };
  }
  const resolved = resolveModelUrl(model, source);
  return resolved && { host: hostOf(resolved.url), via: resolved.via, missing: resolved.missing };
}
