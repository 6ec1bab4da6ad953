/**
 * The chat session's engine, replaced at its boundary by a scripted async generator: the
 * session tests check how answers stream, persist and stop, not what a model says (real
 * engines are covered by the engine and end-to-end tests).
 */
import type { ChatRequest, ChatResponse } from '#protocol/ollama/types';
import type { ChatRuntime } from '../../../src/lib/chat/session.svelte';
import type { CatalogModel } from '../../../src/lib/models/types';

export const model: CatalogModel = {
  id: 'gguf:test',
  name: 'Test',
  format: 'gguf',
  quantization: 'F32',
  sizeBytes: 1,
  memoryBytes: 1,
  source: { kind: 'file', fileName: 'x.gguf' },
  builtin: false
};

export type Script = (request: ChatRequest, signal?: AbortSignal) => AsyncGenerator<ChatResponse>;

export function chunk(
  content: string,
  done = false,
  extra: Partial<ChatResponse> = {}
): ChatResponse {
  return {
    model: model.id,
    created_at: '',
    message: { role: 'assistant', content },
    done,
    ...extra
  };
}

export class FakeRuntime implements ChatRuntime {
  kind: ChatRuntime['kind'] = 'wasm';
  requests: ChatRequest[] = [];
  constructor(public script: Script) {}
  chat(_model: CatalogModel, request: ChatRequest, signal?: AbortSignal) {
    this.requests.push(structuredClone(request));
    return this.script(request, signal);
  }
}

/** An answer that finishes, with the engine's figures in its final chunk. */
export function tokens(words: string[]): Script {
  return async function* () {
    for (const w of words) yield chunk(w);
    yield chunk('', true, { eval_count: words.length, eval_duration: 1e9 });
  };
}

/** Polls until `check` holds: streamed text reaches the screen on a timer (PacedText). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
}
