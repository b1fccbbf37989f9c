// Writes the backend has accepted but not yet committed to lmdb, as etcd's backend keeps a batch transaction's
// writes in a buffer that reads consult before bbolt. Reads merge this buffer over the committed database, so a
// write is visible the moment write() returns while its commit (and fsync) happens later, off the request path,
// in a batch with many other writes. A commit takes the latest value of every key written since the previous
// take; once committed, an entry leaves the buffer unless a newer write replaced it meanwhile.
import { assert } from '../../common/assert.ts';
import type { BackendEntry, BucketName } from './backend.ts';

/** The latest pending write of one key; `value` undefined is a delete. Entries are never mutated. */
export interface PendingWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
}

/** The writes handed to one commit, and the write generation they complete. */
export interface PendingBatch {
  readonly writes: ReadonlyArray<{ bucket: BucketName; write: PendingWrite }>;
  readonly generation: number;
}

/** How to undo the writes of one backend transaction that threw. */
export type UndoLog = Array<{ bucket: BucketName; text: string; previous: PendingWrite | undefined; wasDirty: boolean }>;

/** A key's bytes as a string that sorts like the bytes: one char per byte (latin1), so `<` is memcmp order. */
export function keyText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

class BucketBuffer {
  readonly byKey = new Map<string, PendingWrite>();
  /** Keys of `byKey` in ascending order; may still list keys released since (filtered lazily). */
  sortedKeys: string[] = [];
  sortedKeysStale = false;
  /** Keys written since the last take(). */
  readonly dirty = new Set<string>();
}

/** The pending writes of all buckets. */
export class WriteBuffer {
  private readonly buckets = new Map<BucketName, BucketBuffer>();
  private dirtyKeys = 0;
  /** Counts completed write transactions; a batch completes every generation up to the one taken with it. */
  private generation = 0;

  /** Pending writes not yet taken by a commit. */
  get dirtyCount(): number {
    return this.dirtyKeys;
  }

  /** The generation of the last completed write transaction. */
  get currentGeneration(): number {
    return this.generation;
  }

  /** The pending write of `key`, if any (a delete has `value` undefined). */
  get(bucket: BucketName, key: Uint8Array): PendingWrite | undefined {
    const buffer = this.buckets.get(bucket);
    if (buffer === undefined || buffer.byKey.size === 0) return undefined;
    return buffer.byKey.get(keyText(key));
  }

  /** Records a put (value) or a delete (undefined); `undo` collects what rollback() needs. */
  set(bucket: BucketName, key: Uint8Array, value: Uint8Array | undefined, undo: UndoLog): void {
    const buffer = this.bucket(bucket);
    const text = keyText(key);
    const previous = buffer.byKey.get(text);
    const wasDirty = buffer.dirty.has(text);
    undo.push({ bucket, text, previous, wasDirty });
    buffer.byKey.set(text, { key, value });
    if (!wasDirty) {
      buffer.dirty.add(text);
      this.dirtyKeys++;
    }
    if (previous === undefined) insertSorted(buffer, text);
  }

  /** Marks the end of one successful write transaction. */
  completeTransaction(): void {
    this.generation++;
  }

  /** Restores the buffer to what it was before the writes in `undo`, newest first. */
  rollback(undo: UndoLog): void {
    for (let index = undo.length - 1; index >= 0; index--) {
      const { bucket, text, previous, wasDirty } = undo[index]!;
      const buffer = this.bucket(bucket);
      if (previous === undefined) {
        buffer.byKey.delete(text);
        buffer.sortedKeysStale = true;
      } else {
        buffer.byKey.set(text, previous);
      }
      if (!wasDirty && buffer.dirty.delete(text)) this.dirtyKeys--;
    }
  }

  /** Pending writes with start <= key < end (end undefined: no upper bound), ascending. */
  pendingIn(bucket: BucketName, start: Uint8Array, end: Uint8Array | undefined): PendingWrite[] {
    const buffer = this.buckets.get(bucket);
    if (buffer === undefined || buffer.byKey.size === 0) return [];
    const keys = sortedKeys(buffer);
    const endText = end === undefined ? undefined : keyText(end);
    const found: PendingWrite[] = [];
    for (let index = lowerBound(keys, keyText(start)); index < keys.length; index++) {
      const text = keys[index]!;
      if (endText !== undefined && text >= endText) break;
      found.push(buffer.byKey.get(text)!);
    }
    return found;
  }

  /** Takes the latest write of every key written since the previous take, for one commit. */
  take(): PendingBatch {
    const writes: Array<{ bucket: BucketName; write: PendingWrite }> = [];
    for (const [bucket, buffer] of this.buckets) {
      for (const text of buffer.dirty) writes.push({ bucket, write: buffer.byKey.get(text)! });
      buffer.dirty.clear();
    }
    this.dirtyKeys = 0;
    return { writes, generation: this.generation };
  }

  /** Drops the entries of a committed batch, except those a newer write has replaced. */
  release(batch: PendingBatch): void {
    for (const { bucket, write } of batch.writes) {
      const buffer = this.bucket(bucket);
      const text = keyText(write.key);
      if (buffer.byKey.get(text) !== write) continue;
      assert(!buffer.dirty.has(text), 'backend: a committed write is still marked dirty');
      buffer.byKey.delete(text);
      buffer.sortedKeysStale = true;
    }
  }

  private bucket(bucket: BucketName): BucketBuffer {
    let buffer = this.buckets.get(bucket);
    if (buffer === undefined) {
      buffer = new BucketBuffer();
      this.buckets.set(bucket, buffer);
    }
    return buffer;
  }
}

/** Merges pending writes over committed entries (both ascending), keeping at most `limit` (> 0) live entries. */
export function mergeEntries(committed: Iterable<BackendEntry>, pending: PendingWrite[], limit: number | undefined): BackendEntry[] {
  const merged: BackendEntry[] = [];
  const pendingTexts = pending.map((write) => keyText(write.key));
  let next = 0;
  /** Adds a live entry; true once the limit is reached. */
  const add = (key: Uint8Array, value: Uint8Array | undefined): boolean => {
    if (value !== undefined) merged.push({ key, value });
    return limit !== undefined && merged.length >= limit;
  };
  for (const entry of committed) {
    const text = keyText(entry.key);
    while (next < pending.length && pendingTexts[next]! < text) {
      if (add(pending[next]!.key, pending[next]!.value)) return merged;
      next++;
    }
    if (next < pending.length && pendingTexts[next] === text) {
      // The pending write replaces (or deletes) the committed entry.
      const write = pending[next++]!;
      if (add(write.key, write.value)) return merged;
    } else if (add(entry.key, entry.value)) {
      return merged;
    }
  }
  for (; next < pending.length; next++) if (add(pending[next]!.key, pending[next]!.value)) return merged;
  return merged;
}

function sortedKeys(buffer: BucketBuffer): string[] {
  if (buffer.sortedKeysStale) {
    buffer.sortedKeys = buffer.sortedKeys.filter((text) => buffer.byKey.has(text));
    buffer.sortedKeysStale = false;
  }
  return buffer.sortedKeys;
}

function insertSorted(buffer: BucketBuffer, text: string): void {
  const keys = sortedKeys(buffer);
  // Revisions only grow, so most keys of the busiest bucket append at the end.
  if (keys.length === 0 || keys[keys.length - 1]! < text) {
    keys.push(text);
    return;
  }
  const index = lowerBound(keys, text);
  if (keys[index] !== text) keys.splice(index, 0, text);
}

function lowerBound(keys: string[], text: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! < text) low = middle + 1;
    else high = middle;
  }
  return low;
}
