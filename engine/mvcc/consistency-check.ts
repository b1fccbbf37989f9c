// Debug checks that the key index and the 'key' bucket agree: every revision the index holds is stored, as a
// tombstone exactly when it ends a generation, under the right key; and every stored revision above the
// compacted one is in the index. A disagreement means a bug in the store and fails an assertion.
import { assert } from '../common/assert.ts';
import type { ReadTx } from '../storage/backend/backend.ts';
import type { KeyIndex } from './key-index.ts';
import { decodeKeyValue } from './key-value.ts';
import { keyToString, type KeyString } from './key-range.ts';
import { decodeRevision, encodeRevision, revisionBytesLength } from './revision.ts';
import type { TreeIndex } from './tree-index.ts';

/** Checks the stored revisions of one key index. */
export function checkKeyIndex(tx: ReadTx, keyIndex: KeyIndex): number {
  let checked = 0;
  keyIndex.generations.forEach((generation, generationIndex) => {
    const endsInTombstone = generationIndex !== keyIndex.generations.length - 1;
    for (let position = 0; position < generation.length; position++) {
      const tombstone = endsInTombstone && position === generation.length - 1;
      const revision = generation.revisionAt(position);
      const value = tx.get('key', encodeRevision(revision, tombstone));
      assert(value !== undefined, `revision (${revision.main}, ${revision.sub}) of ${JSON.stringify(keyIndex.key)} missing from the backend`);
      assert(keyToString(decodeKeyValue(value).key) === keyIndex.key, `revision (${revision.main}, ${revision.sub}) stores another key`);
      checked++;
    }
  });
  return checked;
}

/** Checks the keys a write touched. */
export function checkKeys(tx: ReadTx, index: TreeIndex, keys: Iterable<KeyString>): void {
  for (const key of keys) {
    const keyIndex = index.keyIndex(key);
    assert(keyIndex !== undefined, `written key ${JSON.stringify(key)} missing from the index`);
    checkKeyIndex(tx, keyIndex);
  }
}

/** Checks the whole index against the whole 'key' bucket. */
export function checkStore(tx: ReadTx, index: TreeIndex, compactedRevision: number): void {
  let indexed = 0;
  index.forEach((keyIndex) => {
    assert(!keyIndex.isEmpty(), `empty key index ${JSON.stringify(keyIndex.key)} left in the tree`);
    indexed += checkKeyIndex(tx, keyIndex);
  });
  let storedAfterCompaction = 0;
  let indexedAtOrBeforeCompaction = 0;
  index.forEach((keyIndex) => {
    for (const generation of keyIndex.generations) {
      for (let position = 0; position < generation.length; position++) {
        if (generation.mainAt(position) <= compactedRevision) indexedAtOrBeforeCompaction++;
      }
    }
  });
  const start = encodeRevision({ main: Math.max(compactedRevision + 1, 0), sub: 0 });
  for (const { key } of tx.range('key', start)) {
    assert(key.length >= revisionBytesLength, 'malformed key in the key bucket');
    if (decodeRevision(key).main > compactedRevision) storedAfterCompaction++;
  }
  assert(
    storedAfterCompaction === indexed - indexedAtOrBeforeCompaction,
    `backend holds ${storedAfterCompaction} revisions after ${compactedRevision}, index ${indexed - indexedAtOrBeforeCompaction}`,
  );
}
