/**
 * The one sha256 the app uses for model files. It is incremental because weights run to
 * many GB and must never sit in memory whole; SubtleCrypto has no streaming digest, so
 * this wraps hash-wasm.
 */
import { createSHA256 } from 'hash-wasm';

export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** Lowercase hex digest; call once, after the last update. */
  hex(): string;
}

export async function startSha256(): Promise<Sha256> {
  const hasher = await createSHA256();
  hasher.init();
  return {
    update: (bytes) => void hasher.update(bytes),
    hex: () => hasher.digest('hex')
  };
}
