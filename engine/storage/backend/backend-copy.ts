// A point-in-time copy of a backend in a file, as Maintenance.Snapshot streams it and as a Raft snapshot
// ships it to a follower: its size, its bytes in chunks, and its removal.
import fs from 'node:fs';
import { snapshotChunkBytes } from '../../common/limits.ts';
import type { BackendSnapshot } from './backend.ts';

/** The prefix and suffix of backend copies in a backend directory; leftovers of a crash are removed on open. */
export const copyFilePrefix = 'snapshot-';
export const copyFileSuffix = '.mdb.tmp';

/** A BackendSnapshot over the copy in `file`, which it owns: release() removes it. */
export class BackendCopy implements BackendSnapshot {
  private released = false;

  constructor(
    readonly file: string,
    readonly sizeBytes: number,
  ) {}

  /** Opens the copy in `file`, taking its size from the file system. */
  static async of(file: string): Promise<BackendCopy> {
    const stats = await fs.promises.stat(file);
    return new BackendCopy(file, stats.size);
  }

  /** The copy's bytes, in chunks of `chunkBytes` (the last one shorter). */
  async *chunks(chunkBytes = snapshotChunkBytes): AsyncIterable<Uint8Array> {
    if (this.released) throw new Error(`backend copy ${this.file} was released`);
    const handle = await fs.promises.open(this.file, 'r');
    try {
      let position = 0;
      while (position < this.sizeBytes) {
        const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, this.sizeBytes - position));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        if (bytesRead === 0) throw new Error(`backend copy ${this.file} ended at ${position} of ${this.sizeBytes} bytes`);
        position += bytesRead;
        yield bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }

  /** Removes the copy; calling it again does nothing. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await fs.promises.rm(this.file, { force: true });
  }
}
