/**
 * Progress of /api/create and /api/pull, which answer NDJSON status lines as Ollama does:
 * `{"status":"pulling 1a2b…","digest":"sha256:…","total":N,"completed":M}` per layer,
 * plain `{"status":"writing manifest"}` steps, `{"status":"success"}` at the end, and an
 * `{"error"}` line if it fails midway. The reducer is pure so the UI and tests agree.
 */
import { parseNdjson } from '#protocol/stream';
import type { CreateRequest, ProgressResponse, PullRequest } from '#protocol/ollama/types';
import { portalFetch } from './client';

export interface LayerProgress {
  digest: string;
  total: number;
  completed: number;
}

export interface ProgressState {
  /** The latest status line, e.g. "verifying sha256 digest". */
  status: string;
  /** One entry per layer that reported bytes, in the order they first appeared. */
  layers: LayerProgress[];
  done: boolean;
}

export function initialProgress(): ProgressState {
  return { status: '', layers: [], done: false };
}

/** Folds one status line into the state; returns a new state, never mutates. */
export function reduceProgress(state: ProgressState, line: ProgressResponse): ProgressState {
  const next: ProgressState = {
    status: line.status ?? state.status,
    layers: state.layers,
    done: state.done || line.status === 'success'
  };
  if (line.digest && (line.total !== undefined || line.completed !== undefined)) {
    const index = state.layers.findIndex((layer) => layer.digest === line.digest);
    const previous = index >= 0 ? state.layers[index] : undefined;
    const total = line.total ?? previous?.total ?? 0;
    // Lines can repeat after a resume; a layer never goes backwards or past its size.
    const completed = Math.min(
      Math.max(line.completed ?? 0, previous?.completed ?? 0),
      total || Infinity
    );
    const layer = { digest: line.digest, total, completed };
    next.layers =
      index >= 0 ? state.layers.map((l, i) => (i === index ? layer : l)) : [...state.layers, layer];
  }
  return next;
}

/** 0..1 over all layers, or null while nothing has reported a size. */
export function overallFraction(state: ProgressState): number | null {
  const total = state.layers.reduce((sum, l) => sum + l.total, 0);
  if (total <= 0) return state.done ? 1 : null;
  return state.layers.reduce((sum, l) => sum + l.completed, 0) / total;
}

/**
 * Runs a create or pull and reports each new state. Resolves with the final state once
 * the server says success; a 4xx before the stream or an error line inside it rejects
 * with the server's message.
 */
export async function runProgress(
  path: '/api/create' | '/api/pull',
  body: CreateRequest | PullRequest,
  onState: (state: ProgressState) => void,
  signal?: AbortSignal
): Promise<ProgressState> {
  const response = await portalFetch(path, { body: { ...body, stream: true }, signal });
  if (!response.body) throw new Error(`${path}: the server sent no progress stream`);
  let state = initialProgress();
  for await (const line of parseNdjson<ProgressResponse>(response.body)) {
    state = reduceProgress(state, line);
    onState(state);
  }
  if (!state.done) throw new Error(`${path}: the stream ended before "success"`);
  return state;
}
