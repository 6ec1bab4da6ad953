/**
 * The sha256 a built-in GGUF's hub declares, fetched when its download starts, so the
 * bytes are checked against the publisher's digest and not only for being a well-formed
 * GGUF (a mirror or proxy serving another valid file under the name would pass that).
 * Hugging Face and mirrors with its layout list each LFS file's sha256 in their tree API
 * (`lfs.oid`); ModelScope lists `Sha256` per file. A LAN folder lists nothing, and a hub
 * that cannot be asked (offline, blocked) leaves the download checked as before.
 */
import { HUGGING_FACE, type ModelSourceSetting } from '#protocol/portal/model-source';
import { HF_BASE, MODELSCOPE_BASE, MODELSCOPE_REPOS, parseHfUrl, resolveModelUrl } from './source';
import type { CatalogModel } from './types';

const SHA256 = /^[0-9a-f]{64}$/;
/** A hub that does not answer quickly is not waited for: the download goes on without it. */
const HUB_TIMEOUT_MS = 8_000;

interface HubListing {
  url: string;
  /** The declared sha256 of the file in the listing's JSON, if it names one. */
  pick: (body: unknown) => unknown;
}

function listing(model: CatalogModel, source: ModelSourceSetting): HubListing | null {
  if (model.source.kind !== 'url' || !model.builtin) return null;
  const file = parseHfUrl(model.source.url);
  const resolved = resolveModelUrl(model, source);
  if (!file || !resolved) return null;
  const path = decodeURIComponent(file.path);
  if (resolved.via === 'huggingface' || resolved.via === 'hf-mirror') {
    const base = resolved.via === 'hf-mirror' && source.url ? source.url : HF_BASE;
    const slash = file.path.lastIndexOf('/');
    const folder = slash < 0 ? '' : `/${file.path.slice(0, slash)}`;
    return {
      url: `${base}/api/models/${file.repo}/tree/${file.revision}${folder}`,
      pick: (body) =>
        Array.isArray(body)
          ? (body as Array<{ path?: unknown; lfs?: { oid?: unknown } }>).find(
              (e) => e.path === path
            )?.lfs?.oid
          : undefined
    };
  }
  if (resolved.via === 'modelscope') {
    const repo = MODELSCOPE_REPOS[file.repo];
    return {
      url: `${MODELSCOPE_BASE}/api/v1/models/${repo}/repo/files?Revision=master&Recursive=true`,
      pick: (body) =>
        (
          body as { Data?: { Files?: Array<{ Path?: unknown; Sha256?: unknown }> } }
        )?.Data?.Files?.find((f) => f.Path === path)?.Sha256
    };
  }
  return null;
}

/** The hub's sha256 for a built-in GGUF under `source`; null when it cannot say. */
export async function hubSha256(
  model: CatalogModel,
  source: ModelSourceSetting = HUGGING_FACE,
  doFetch: typeof fetch = globalThis.fetch.bind(globalThis),
  signal?: AbortSignal
): Promise<string | null> {
  const hub = listing(model, source);
  if (!hub) return null;
  const timeout = AbortSignal.timeout(HUB_TIMEOUT_MS);
  try {
    const res = await doFetch(hub.url, {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: { Accept: 'application/json' }
    });
    if (!res.ok) return null;
    const declared = hub.pick(await res.json());
    return typeof declared === 'string' && SHA256.test(declared.toLowerCase())
      ? declared.toLowerCase()
      : null;
  } catch {
    return null;
  }
}
