/**
 * The one model to offer someone who has none yet, so a first visit is a button away from
 * a first answer rather than a trip through the catalog. A download the user already
 * started comes first (finishing it is cheapest); otherwise the most capable built-in
 * chat model that fits this device comfortably within a download budget: about a minute
 * on an office connection, and smaller on the CPU engine, where a bigger model would
 * answer too slowly for a first impression. Many of Hearth's users write Chinese, so a
 * family trained on Chinese and English (Qwen) goes first; then more parameters, then
 * the smaller download (an f16 variant over its f32 twin).
 */
import type { DeviceProbe } from '../device/types';
import { fitVerdict } from '../models/fit';
import { parameterCountFromName } from '../models/mlc-catalog';
import type { CatalogModel } from '../models/types';
import { downloadOrigin } from '../models/source';
import { HUGGING_FACE, type ModelSourceSetting } from '#protocol/portal/model-source';
import type { LibraryEntry } from './library.svelte';

const MIB = 1024 ** 2;
/** Past these a first download (or its answers) stops feeling like "one click". */
export const FIRST_DOWNLOAD_BUDGET = { webgpu: 1024 * MIB, wasm: 512 * MIB } as const;

function engineOf(model: CatalogModel): 'webgpu' | 'wasm' {
  return model.format === 'mlc' ? 'webgpu' : 'wasm';
}

/** A real GPU answers many times faster than the CPU engine; a software one does not. */
function gpuPreferred(probe: DeviceProbe): boolean {
  return probe.webgpu.available && !probe.webgpu.isFallbackAdapter;
}

export function suggestFirstModel(
  entries: LibraryEntry[],
  probe: DeviceProbe
): LibraryEntry | null {
  const offerable = entries.filter(
    ({ model, state }) =>
      model.source.kind !== 'server' &&
      model.source.kind !== 'file' &&
      !model.completionOnly &&
      state?.status !== 'ready' &&
      fitVerdict(model, probe, engineOf(model), { bytesStored: state?.bytesStored ?? 0 })
        .verdict === 'fits'
  );
  const started = offerable.find((e) => (e.state?.bytesStored ?? 0) > 0);
  if (started) return started;

  const builtins = offerable.filter((e) => e.model.builtin && e.model.sizeBytes > 0);
  const onGpu = builtins.filter((e) => e.model.format === 'mlc');
  const engine = gpuPreferred(probe) && onGpu.length > 0 ? 'webgpu' : 'wasm';
  const pool = builtins.filter((e) => engineOf(e.model) === engine);
  const withinBudget = pool.filter((e) => e.model.sizeBytes <= FIRST_DOWNLOAD_BUDGET[engine]);
  if (withinBudget.length === 0)
    return [...pool].sort((a, b) => a.model.sizeBytes - b.model.sizeBytes)[0] ?? null;
  return withinBudget.sort((a, b) => compareRanks(rank(b.model), rank(a.model)))[0];
}

const BILINGUAL = /qwen/i;

/** Higher is better, compared left to right. */
function rank(model: CatalogModel): number[] {
  const id = model.id.replace(/^gguf:/, '');
  return [BILINGUAL.test(id) ? 1 : 0, parameterCountFromName(id) ?? 0, -model.sizeBytes];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Where the weights will come from under the chosen model source, as a person would name
 * it: the host of the URL that will be fetched.
 */
export function sourceHost(
  model: CatalogModel,
  source: ModelSourceSetting = HUGGING_FACE
): string | null {
  // A portal's own models (MLC folders, or GGUF blobs by path) come from the portal that
  // served this page.
  if (model.source.kind === 'mlc-portal') return location.host;
  const origin = downloadOrigin(model, source);
  return origin ? (origin.host ?? location.host) : null;
}
