/**
 * Cuts an incoming byte stream into fixed-size chunks and stores each one atomically with
 * the updated bytesStored. On interruption, flush() keeps the tail received so far as one
 * shorter chunk, so a resume restarts exactly where the bytes stopped.
 */
import type { ModelState } from '../models/types';
import type { HearthDB } from '../store/db';
import { appendChunk } from '../store/model-files';

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

export class ChunkWriter {
  private parts: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly database: HearthDB,
    private state: ModelState,
    private nextIndex: number,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES
  ) {}

  /** Bytes safely stored plus bytes waiting for a full chunk. */
  get bytesReceived(): number {
    return this.state.bytesStored + this.pendingBytes;
  }

  get current(): ModelState {
    return this.state;
  }

  async push(bytes: Uint8Array): Promise<void> {
    this.parts.push(bytes);
    this.pendingBytes += bytes.byteLength;
    while (this.pendingBytes >= this.chunkBytes) await this.write(this.take(this.chunkBytes));
  }

  async flush(): Promise<void> {
    if (this.pendingBytes > 0) await this.write(this.take(this.pendingBytes));
  }

  /** Drops what has not been written (after a failed write, the parts are suspect). */
  discardPending(): void {
    this.parts = [];
    this.pendingBytes = 0;
  }

  private take(count: number): Uint8Array[] {
    const taken: Uint8Array[] = [];
    let need = count;
    while (need > 0) {
      const head = this.parts[0];
      if (head.byteLength <= need) {
        taken.push(head);
        this.parts.shift();
        need -= head.byteLength;
      } else {
        taken.push(head.subarray(0, need));
        this.parts[0] = head.subarray(need);
        need = 0;
      }
    }
    this.pendingBytes -= count;
    return taken;
  }

  private async write(parts: Uint8Array[]): Promise<void> {
    const data = new Blob(parts as BlobPart[]);
    const next: ModelState = { ...this.state, bytesStored: this.state.bytesStored + data.size };
    try {
      await appendChunk(next.id, this.nextIndex, data, next, this.database);
    } catch (e) {
      this.discardPending(); // the failed chunk's bytes are gone; a resume re-fetches them
      throw e;
    }
    this.nextIndex++;
    this.state = next;
  }
}
