/** Which catalog models the chat can offer, how they are grouped, and how to label them. */
import type { EngineKind } from '../engines/engine';
import type { DeviceProbe } from '../device/types';
import { fitVerdict, type FitKind } from '../models/fit';
import type { CatalogModel, ModelState } from '../models/types';

export interface LibraryEntry {
  model: CatalogModel;
  state: ModelState | undefined;
}

/**
 * Server models first (nothing to download), then verified downloads: everything else
 * lives on the Models page.
 */
export function runnableModels(
  entries: readonly LibraryEntry[],
  serverModels: readonly CatalogModel[] = []
): CatalogModel[] {
  const ready = entries.filter((e) => e.state?.status === 'ready').map((e) => e.model);
  return [...serverModels, ...ready];
}

/** The engine that will run a model (the format decides in the browser). */
export function engineOf(model: CatalogModel): EngineKind {
  if (model.source.kind === 'server') return 'remote';
  return model.format === 'mlc' ? 'webgpu' : 'wasm';
}

/** The picker's two groups: "On the server" and "In this browser". */
export function pickerGroups(models: readonly CatalogModel[]): {
  server: CatalogModel[];
  browser: CatalogModel[];
} {
  return {
    server: models.filter((m) => engineOf(m) === 'remote'),
    browser: models.filter((m) => engineOf(m) !== 'remote')
  };
}

/** How a picked model fits: always for server models, else the device's verdict. */
export function pickerFit(model: CatalogModel, probe: DeviceProbe | null): FitKind | null {
  const engine = engineOf(model);
  if (engine === 'remote') return 'fits';
  if (!probe) return null;
  // A ready model's bytes are all stored: only memory decides.
  return fitVerdict(model, probe, engine, { bytesStored: model.sizeBytes }).verdict;
}

const ENGINE_NAMES: Record<EngineKind, string> = {
  webgpu: 'WebGPU',
  wasm: 'WASM',
  remote: 'Server'
};

/**
 * "Qwen2.5 0.5B · GGUF Q4_K_M · WASM · fits". The engine and verdict words come in
 * translated from the UI; the English defaults serve logs and tests.
 */
export function modelLabel(
  model: CatalogModel,
  words: { engine?: string; fit?: string } = {}
): string {
  const parts = [
    model.name,
    `${model.format.toUpperCase()} ${model.quantization}`,
    words.engine ?? ENGINE_NAMES[engineOf(model)]
  ];
  if (words.fit) parts.push(words.fit);
  return parts.join(' · ');
}
