/** Per-layer progress folded from /api/pull and /api/create NDJSON lines. */
import { describe, expect, it } from 'vitest';
import {
  initialProgress,
  overallFraction,
  reduceProgress
} from '../../src/lib/portal/ndjson-progress';
import type { ProgressResponse } from '#protocol/ollama/types';

const fold = (lines: ProgressResponse[]) => lines.reduce(reduceProgress, initialProgress());

describe('reduceProgress', () => {
  it('tracks each layer by digest in first-seen order', () => {
    const state = fold([
      { status: 'pulling manifest' },
      { status: 'pulling aaaa', digest: 'sha256:aaaa', total: 100, completed: 0 },
      { status: 'pulling bbbb', digest: 'sha256:bbbb', total: 10, completed: 5 },
      { status: 'pulling aaaa', digest: 'sha256:aaaa', total: 100, completed: 60 }
    ]);
    expect(state.status).toBe('pulling aaaa');
    expect(state.layers).toEqual([
      { digest: 'sha256:aaaa', total: 100, completed: 60 },
      { digest: 'sha256:bbbb', total: 10, completed: 5 }
    ]);
    expect(state.done).toBe(false);
    expect(overallFraction(state)).toBeCloseTo(65 / 110);
  });

  it('never moves a layer backwards or past its size', () => {
    const state = fold([
      { status: 'pulling a', digest: 'sha256:a', total: 50, completed: 40 },
      { status: 'pulling a', digest: 'sha256:a', total: 50, completed: 10 },
      { status: 'pulling a', digest: 'sha256:a', total: 50, completed: 70 }
    ]);
    expect(state.layers).toEqual([{ digest: 'sha256:a', total: 50, completed: 50 }]);
  });

  it('finishes on success and keeps the layers', () => {
    const state = fold([
      { status: 'pulling a', digest: 'sha256:a', total: 8, completed: 8 },
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' }
    ]);
    expect(state.done).toBe(true);
    expect(state.status).toBe('success');
    expect(state.layers).toHaveLength(1);
    expect(overallFraction(state)).toBe(1);
  });

  it('has no fraction before any size is known, and does not mutate its input', () => {
    const start = initialProgress();
    const next = reduceProgress(start, { status: 'parsing GGUF' });
    expect(overallFraction(next)).toBeNull();
    expect(start).toEqual({ status: '', layers: [], done: false });
    const withLayer = reduceProgress(next, { status: 'x', digest: 'd', total: 4, completed: 1 });
    reduceProgress(withLayer, { status: 'x', digest: 'd', total: 4, completed: 3 });
    expect(withLayer.layers[0].completed).toBe(1);
  });
});
