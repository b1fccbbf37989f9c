// An in-memory Backend for MVCC tests: each bucket is a sorted array of binary keys (unsigned byte order, by
// binary search). A write transaction journals what it overwrites and restores it if `apply` throws, so it is
// atomic like the real one. Values are copied on the way in and out, so no caller can alias stored bytes.
// `failNextWrite` makes the next transaction throw after its changes, to test rollback paths. `clone` gives
// a second backend with the same contents, standing in for a reopened file.
import { type Backend, type BackendEntry, type BackendSize, type BackendSnapshot, type BucketName, bucketNames, type WriteTx } from '../../storage/backend/backend.ts';

interface Entry {
  key: Uint8Array;
  value: Uint8Array;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Index of the first entry with key >= `key`. */
function lowerBound(entries: Entry[], key: Uint8Array): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(entries[middle]!.key, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A Backend held in memory. */
export class MemoryBackend implements Backend {
  private buckets = new Map<BucketName, Entry[]>(bucketNames.map((name) => [name, []]));
  private journal: Array<() => void> | undefined;
  /** Number of write transactions committed. */
  writes = 0;
  /** When set, the next write transaction throws this error after running `apply`. */
  failNextWrite: Error | undefined;

  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined {
    const entries = this.buckets.get(bucket)!;
    const index = lowerBound(entries, key);
    const entry = entries[index];
    return entry !== undefined && compare(entry.key, key) === 0 ? entry.value.slice() : undefined;
  }

  range(bucket: BucketName, start: Uint8Array, end?: Uint8Array, limit?: number): Iterable<BackendEntry> {
    const entries = this.buckets.get(bucket)!;
    const result: BackendEntry[] = [];
    for (let index = lowerBound(entries, start); index < entries.length; index++) {
      const entry = entries[index]!;
      if (end !== undefined && compare(entry.key, end) >= 0) break;
      if (limit !== undefined && limit > 0 && result.length >= limit) break;
      result.push({ key: entry.key.slice(), value: entry.value.slice() });
    }
    return result;
  }

  write<T>(apply: (tx: WriteTx) => T): T {
    if (this.journal !== undefined) throw new Error('nested backend write');
    const journal: Array<() => void> = [];
    this.journal = journal;
    try {
      const result = apply(this.writeTx());
      if (this.failNextWrite !== undefined) {
        const error = this.failNextWrite;
        this.failNextWrite = undefined;
        throw error;
      }
      this.writes++;
      return result;
    } catch (error) {
      for (let index = journal.length - 1; index >= 0; index--) journal[index]!();
      throw error;
    } finally {
      this.journal = undefined;
    }
  }

  private writeTx(): WriteTx {
    return {
      get: (bucket, key) => this.get(bucket, key),
      range: (bucket, start, end, limit) => this.range(bucket, start, end, limit),
      put: (bucket, key, value) => this.put(bucket, key, value),
      delete: (bucket, key) => this.remove(bucket, key),
    };
  }

  private put(bucket: BucketName, key: Uint8Array, value: Uint8Array): void {
    const entries = this.buckets.get(bucket)!;
    const index = lowerBound(entries, key);
    const existing = entries[index];
    if (existing !== undefined && compare(existing.key, key) === 0) {
      const previous = existing.value;
      existing.value = value.slice();
      this.journal!.push(() => (existing.value = previous));
      return;
    }
    const entry = { key: key.slice(), value: value.slice() };
    entries.splice(index, 0, entry);
    this.journal!.push(() => entries.splice(lowerBound(entries, entry.key), 1));
  }

  private remove(bucket: BucketName, key: Uint8Array): void {
    const entries = this.buckets.get(bucket)!;
    const index = lowerBound(entries, key);
    const existing = entries[index];
    if (existing === undefined || compare(existing.key, key) !== 0) return;
    entries.splice(index, 1);
    this.journal!.push(() => entries.splice(lowerBound(entries, existing.key), 0, existing));
  }

  /** Entries of a bucket (copies), for assertions. */
  entries(bucket: BucketName): BackendEntry[] {
    return [...this.range(bucket, new Uint8Array(0))];
  }

  /** A backend with the same contents: what a restart would find on disk. */
  clone(): MemoryBackend {
    const copy = new MemoryBackend();
    copy.buckets = new Map([...this.buckets].map(([name, entries]) => [name, entries.map((entry) => ({ key: entry.key.slice(), value: entry.value.slice() }))]));
    return copy;
  }

  async sync(): Promise<void> {}

  size(): BackendSize {
    let bytes = 0;
    for (const entries of this.buckets.values()) for (const entry of entries) bytes += entry.key.length + entry.value.length;
    return { totalBytes: bytes, inUseBytes: bytes };
  }

  async defragment(): Promise<void> {}

  async snapshot(): Promise<BackendSnapshot> {
    throw new Error('MemoryBackend has no snapshots');
  }

  async close(): Promise<void> {}
}
