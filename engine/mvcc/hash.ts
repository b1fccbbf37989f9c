// HashKV, exactly as etcd 3.4's store.HashByRev: a CRC-32C over the bucket name "key" followed by every
// (revision key, stored KeyValue) pair of the 'key' bucket up to the hashed revision, in key order, skipping
// revisions at or below the compacted revision that the index would not keep at the hashed revision. The
// skip makes the hash independent of how far the batched physical compaction has progressed, so members
// with equal histories agree even while one of them is still deleting.
import type { ReadTx } from '../storage/backend/backend.ts';
import { Crc32c } from '../common/crc32c.ts';
import { decodeRevision, encodeRevision, RevisionSet } from './revision.ts';
import type { TreeIndex } from './tree-index.ts';

/** The result of HashKV. */
export interface KvHash {
  hash: number;
  /** The store's current revision when the hash was taken. */
  currentRev: number;
  /** The store's compacted revision (-1 when never compacted, as etcd reports it). */
  compactRev: number;
  /** The revision the hash covers (the requested one, or the current one for 0). */
  hashRev: number;
}

const keyBucketName = Buffer.from('key');

/** Hashes the key bucket up to `rev` (already validated against the compacted and current revisions). */
export function hashKeyBucket(tx: ReadTx, index: TreeIndex, rev: number, currentRev: number, compactRev: number): KvHash {
  // The keep set only matters for revisions at or below the compacted one; without a compaction there are
  // none, and computing it would walk a million keys for nothing.
  const keep = compactRev >= 1 ? index.keep(rev) : new RevisionSet();
  const crc = new Crc32c().update(keyBucketName);
  // Backend keys sort by revision, so the scan can stop at the first revision after `rev`.
  for (const { key, value } of tx.range('key', new Uint8Array(0), encodeRevision({ main: rev + 1, sub: 0 }))) {
    const revision = decodeRevision(key);
    // Skip revisions scheduled for deletion by compaction; don't skip if there isn't one (etcd's rule).
    if (revision.main <= compactRev && keep.size > 0 && !keep.has(revision.main, revision.sub)) continue;
    crc.update(key).update(value);
  }
  return { hash: crc.digest(), currentRev, compactRev, hashRev: rev };
}
