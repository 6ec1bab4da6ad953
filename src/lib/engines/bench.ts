/**
 * Measurements behind the hidden /bench page (driven by bench/browser.js): import a GGUF
 * into the IndexedDB store, time the WASM engine's prefill and decode, and time reading
 * the weights back. Figures only; nothing here decides anything for the app.
 */
import { startSha256 } from '../util/sha256';
import type { ChatRequest, ChatResponse } from '#protocol/ollama/types';
import { getCatalogModel, saveUserModel, slugify } from '../models/catalog';
import type { CatalogModel, ModelState } from '../models/types';
import {
  appendChunk,
  getModelState,
  putModelState,
  readModelBlob,
  resetModelFiles
} from '../store/model-files';
import { db } from '../store/db';
import { WasmEngine } from './wasm';
import type { WllamaBuildKind } from './wllama-build';

const CHUNK_BYTES = 8 * 1024 * 1024;

export interface WasmRun {
  modelId: string;
  threads: number;
  promptTokens?: number;
  genTokens?: number;
  /** Which llama.cpp build; the engine's own choice when absent. */
  build?: WllamaBuildKind;
}

export interface WasmRunResult {
  threads: number;
  promptTokens: number;
  genTokens: number;
  prefillTokPerSec: number;
  decodeTokPerSec: number;
  loadMs: number;
  firstTokenMs: number;
  /** performance.timeOrigin-based epoch ms of the first token (for reload-to-token timing). */
  firstTokenEpochMs: number;
  detail: string;
  /** The generated text, so builds can be checked to decode the same tokens. */
  text: string;
}

/** Downloads a GGUF into the store as a verified, ready model; returns its id. */
export async function importFile(url: string): Promise<string> {
  const absolute = new URL(url, location.href);
  const name = decodeURIComponent(absolute.pathname.split('/').pop() || 'model.gguf');
  const id = `gguf:bench-${slugify(name)}`;
  const response = await fetch(absolute);
  if (!response.ok || !response.body) throw new Error(`GET ${absolute} → HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length') ?? 0);
  const existing = await getModelState(id);
  if (existing?.status === 'ready' && existing.bytesStored === total) {
    await response.body.cancel();
    return id;
  }
  const state: ModelState = {
    id,
    status: 'partial',
    bytesStored: 0,
    totalBytes: total,
    updatedAt: Date.now()
  };
  await resetModelFiles(id, state);
  const hasher = await startSha256();
  const reader = response.body.getReader();
  let parts: Uint8Array[] = [];
  let pending = 0;
  let index = 0;
  const flush = async () => {
    if (pending === 0) return;
    const blob = new Blob(parts as BlobPart[]);
    state.bytesStored += pending;
    await appendChunk(id, index++, blob, { ...state });
    parts = [];
    pending = 0;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
    parts.push(value);
    pending += value.byteLength;
    if (pending >= CHUNK_BYTES) await flush();
  }
  await flush();
  const model: CatalogModel = {
    id,
    name,
    format: 'gguf',
    quantization: /q\d_\d|q\d_k_\w|f16|f32/i.exec(name)?.[0]?.toUpperCase() ?? 'unknown',
    sizeBytes: state.bytesStored,
    memoryBytes: state.bytesStored * 2 + 64 * 1024 * 1024,
    completionOnly: true,
    source: { kind: 'url', url: absolute.href },
    builtin: false
  };
  await saveUserModel(model);
  await putModelState({ ...state, status: 'ready', sha256: hasher.hex() });
  return id;
}

/** A prompt of exactly `tokens` tokens for a Llama SentencePiece vocab: BOS + " the" × (n − 1). */
function promptOf(tokens: number): string {
  return Array.from({ length: Math.max(1, tokens - 1) }, () => 'the').join(' ');
}

export async function runWasm(run: WasmRun): Promise<WasmRunResult> {
  const model = await db().models.get(run.modelId);
  if (!model) throw new Error(`no catalog entry ${run.modelId}; import it first`);
  const engine = new WasmEngine({ threads: run.threads, build: run.build });
  const started = performance.now();
  await engine.load(model, () => undefined);
  const loadMs = performance.now() - started;
  try {
    const genStart = performance.now();
    let firstTokenAt = 0;
    let final: {
      prompt_eval_count?: number;
      prompt_eval_duration?: number;
      eval_count?: number;
      eval_duration?: number;
    } = {};
    let text = '';
    const stream = engine.generate({
      model: model.id,
      prompt: promptOf(run.promptTokens ?? 128),
      options: { temperature: 0, num_predict: run.genTokens ?? 64 }
    });
    for await (const chunk of stream) {
      if (!firstTokenAt && chunk.response) firstTokenAt = performance.now();
      text += chunk.response;
      if (chunk.done) final = chunk;
    }
    const perSec = (count = 0, ns = 0) => (ns > 0 ? count / (ns / 1e9) : 0);
    return {
      threads: engine.info().threads ?? run.threads,
      promptTokens: final.prompt_eval_count ?? 0,
      genTokens: final.eval_count ?? 0,
      prefillTokPerSec: perSec(final.prompt_eval_count, final.prompt_eval_duration),
      decodeTokPerSec: perSec(final.eval_count, final.eval_duration),
      loadMs,
      firstTokenMs: firstTokenAt - genStart,
      firstTokenEpochMs: performance.timeOrigin + firstTokenAt,
      detail: engine.info().detail,
      text
    };
  } finally {
    await engine.unload();
  }
}

/** Reads every stored byte of a model back out of IndexedDB; MB/s (10^6 bytes). */
export async function idbReadMBps(modelId: string): Promise<number> {
  const started = performance.now();
  const blob = await readModelBlob(modelId);
  const reader = blob.stream().getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  return bytes / 1e6 / seconds;
}

export interface ChatProbe {
  text: string;
  chunks: number;
  final: ChatResponse | null;
  status: string;
  kind: string | null;
  reason: string;
  error: string | null;
}

/**
 * One chat through the app's own runtime (engine choice, fit check, load, stream), so a
 * browser test exercises exactly what the chat page does. `abortAfterChunks` presses "stop".
 */
export async function runtimeChat(
  modelId: string,
  request: Omit<ChatRequest, 'model'>,
  abortAfterChunks?: number
): Promise<ChatProbe> {
  const { engineRuntime } = await import('./runtime.svelte');
  const model = await getCatalogModel(modelId);
  if (!model) throw new Error(`no catalog entry ${modelId}`);
  const controller = new AbortController();
  let text = '';
  let chunks = 0;
  let final: ChatResponse | null = null;
  for await (const chunk of engineRuntime.chat(
    model,
    { ...request, model: modelId },
    controller.signal
  )) {
    text += chunk.message.content;
    if (chunk.done) final = chunk;
    else if (++chunks === abortAfterChunks) controller.abort();
  }
  return {
    text,
    chunks,
    final,
    status: engineRuntime.status,
    kind: engineRuntime.kind,
    reason: engineRuntime.reason,
    error: engineRuntime.error
  };
}
