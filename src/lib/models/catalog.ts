/**
 * The model catalog: web-llm's prebuilt MLC models (filtered), Hearth's built-in GGUF
 * models, and GGUF entries the user added (by URL or from a file), kept in db().models.
 */
import { toPlain } from '../util/plain';
import { db, type HearthDB } from '../store/db';
import { builtinGgufModels } from './gguf-builtins';
import { mlcCatalogFrom } from './mlc-catalog';
import { MLC_PREBUILT_MODELS } from './mlc-prebuilt';
import type { CatalogModel } from './types';

let mlcModels: CatalogModel[] | null = null;

/**
 * From a checked-in extract of web-llm's prebuilt list (mlc-prebuilt.ts): listing models
 * must not download the engine library, which only a WebGPU model load needs.
 */
function loadMlcModels(): CatalogModel[] {
  mlcModels ??= mlcCatalogFrom(MLC_PREBUILT_MODELS);
  return mlcModels;
}

export async function listCatalog(database: HearthDB = db()): Promise<CatalogModel[]> {
  const user = await database.models.toArray();
  return [
    ...loadMlcModels(),
    ...builtinGgufModels(),
    ...user.sort((a, b) => a.name.localeCompare(b.name))
  ];
}

export async function getCatalogModel(
  id: string,
  database: HearthDB = db()
): Promise<CatalogModel | undefined> {
  const user = await database.models.get(id);
  if (user) return user;
  if (id.startsWith('gguf:')) return builtinGgufModels().find((m) => m.id === id);
  return loadMlcModels().find((m) => m.id === id);
}

/** "Qwen2.5 0.5B (Q4_K_M).gguf" → "qwen2.5-0.5b-q4_k_m" */
export function slugify(name: string): string {
  const slug = name
    .replace(/\.gguf$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'model';
}

/** The file name at the end of a URL, without query or fragment. */
export function fileNameFromUrl(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'model.gguf';
}

/** An id not yet taken by a built-in or user entry: "gguf:<slug>", "gguf:<slug>-2", … */
export async function freeGgufId(name: string, database: HearthDB = db()): Promise<string> {
  const base = `gguf:${slugify(name)}`;
  const taken = new Set([
    ...builtinGgufModels().map((m) => m.id),
    ...(await database.models.toCollection().primaryKeys())
  ]);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

export async function saveUserModel(model: CatalogModel, database: HearthDB = db()): Promise<void> {
  await database.models.put(toPlain({ ...model, builtin: false }));
}

export async function removeUserModel(id: string, database: HearthDB = db()): Promise<void> {
  await database.models.delete(id);
}
