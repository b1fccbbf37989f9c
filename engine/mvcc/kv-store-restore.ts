// Rebuilds the key index from the 'key' bucket on open (etcd's restore / restoreIntoIndex): revisions are read
// in order, in chunks so that a large bucket never sits in memory at once. The first revision seen of a key
// restores its generation from the stored create revision and version (older history may be compacted);
// later ones are replayed as puts and tombstones. Alongside, the lease of every live key is collected.
import type { ReadTx } from '../storage/backend/backend.ts';
import { KeyIndex } from './key-index.ts';
import { decodeKeyValue } from './key-value.ts';
import { keyToString, type KeyString } from './key-range.ts';
import { decodeRevision, encodeRevision, isTombstone } from './revision.ts';
import type { TreeIndex } from './tree-index.ts';

/** What restore learned besides the index. */
export interface RestoreResult {
  /** Main revision of the newest entry, 1 when the bucket is empty (a fresh store is at revision 1). */
  lastRevision: number;
  /** Live keys that carry a lease, with the key bytes. */
  leases: Map<KeyString, { leaseId: bigint; key: Uint8Array }>;
  /** Entries read. */
  entries: number;
}

/** Replays the 'key' bucket into `index`, which must be empty. */
export function restoreIndex(tx: ReadTx, index: TreeIndex, chunkKeys: number): RestoreResult {
  const result: RestoreResult = { lastRevision: 1, leases: new Map(), entries: 0 };
  let start = encodeRevision({ main: 1, sub: 0 });
  for (;;) {
    let read = 0;
    let lastKey: Uint8Array | undefined;
    for (const { key, value } of tx.range('key', start, undefined, chunkKeys)) {
      read++;
      lastKey = key;
      restoreEntry(index, key, value, result);
    }
    result.entries += read;
    if (read < chunkKeys || lastKey === undefined) return result;
    const last = decodeRevision(lastKey);
    start = encodeRevision({ main: last.main, sub: last.sub + 1 });
  }
}

function restoreEntry(index: TreeIndex, revisionKey: Uint8Array, value: Uint8Array, result: RestoreResult): void {
  const kv = decodeKeyValue(value);
  const keyString = keyToString(kv.key);
  const revision = decodeRevision(revisionKey);
  const tombstone = isTombstone(revisionKey);
  result.lastRevision = revision.main;
  if (tombstone || kv.lease === 0n) result.leases.delete(keyString);
  else result.leases.set(keyString, { leaseId: kv.lease, key: kv.key.slice() });

  const keyIndex = index.keyIndex(keyString);
  if (keyIndex !== undefined) {
    // etcd ignores a tombstone on a key already deleted here (ErrRevisionNotFound), and so do we.
    if (tombstone) keyIndex.tombstone(revision.main, revision.sub);
    else keyIndex.put(revision.main, revision.sub);
    return;
  }
  if (tombstone) return; // the key's earlier history was compacted away; nothing left to index
  const restored = new KeyIndex(keyString);
  restored.restore({ main: kv.createRevision, sub: 0 }, revision, kv.version);
  index.insert(restored);
}
