// Maintenance.Hash: a CRC-32C over the whole backend (every bucket in a fixed order, every key and value in key
// order), as etcd's backend hash covers all of bbolt; meant for tests that compare members. The applied index is
// left out (as etcd leaves out its consistent index): members with the same state agree whatever entry each has
// applied last. The value differs from etcd's for the same data, since the bucket layouts differ.
import { Crc32c } from '../common/crc32c.ts';
import { isConsistentIndexKey } from '../mvcc/meta.ts';
import { bucketNames, type ReadTx } from '../storage/backend/backend.ts';

/** Entries read per range call, so that a large backend is never held in memory at once. */
const chunkEntries = 10_000;

/** The hash of every bucket of `tx`. */
export function backendHash(tx: ReadTx): number {
  const hash = new Crc32c();
  for (const bucket of bucketNames) {
    hash.update(Buffer.from(bucket));
    let start: Uint8Array = new Uint8Array(0);
    for (;;) {
      const entries = [...tx.range(bucket, start, undefined, chunkEntries)];
      for (const { key, value } of entries) {
        if (bucket === 'meta' && isConsistentIndexKey(key)) continue;
        hash.update(key).update(value);
      }
      if (entries.length < chunkEntries) break;
      // The smallest key after the last one read.
      start = Buffer.concat([entries[entries.length - 1]!.key, Buffer.from([0])]);
    }
  }
  return hash.digest();
}
