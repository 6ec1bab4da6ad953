import type { CatalogModel } from '../../../src/lib/models/types';

/** The real model files, from the same place the server tests name them. */
export { SHARED_MODELS, STORIES, STORIES_DIGEST, STORIES_SHA256 } from '../../server/fixtures';

/** A GGUF catalog entry served by some server: only its id matters to a remote engine. */
export const remoteModel = (id: string): CatalogModel => ({
  id,
  name: id.replace(/^remote:/, ''),
  format: 'gguf',
  quantization: 'Q4_0',
  sizeBytes: 0,
  memoryBytes: 0,
  source: { kind: 'url', url: 'http://example.invalid' },
  builtin: false
});
