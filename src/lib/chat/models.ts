/** Which catalog models the chat can offer, and how to label them. */
import type { CatalogModel, ModelState } from '../models/types';

export interface LibraryEntry {
  model: CatalogModel;
  state: ModelState | undefined;
}

/** Only verified downloads can run; everything else lives on the Models page. */
export function runnableModels(entries: readonly LibraryEntry[]): CatalogModel[] {
  return entries.filter((e) => e.state?.status === 'ready').map((e) => e.model);
}

/** "Qwen2.5 0.5B · GGUF Q4_K_M · WASM": the format decides which engine runs it. */
export function modelLabel(model: CatalogModel): string {
  const engine = model.format === 'mlc' ? 'WebGPU' : 'WASM';
  return `${model.name} · ${model.format.toUpperCase()} ${model.quantization} · ${engine}`;
}
