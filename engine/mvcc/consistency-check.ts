// Debug checks that the in-memory state and the 'key' bucket agree: every revision the index holds is stored,
// as a tombstone exactly when it ends a generation, under the right key; every stored revision above the
// compacted one is in the index; and the lease kept for each live key is the one in its stored value. A
// disagreement means a bug in the store and fails an assertion.
import { assert, AssertionError } from '../common/assert.ts';
import type { ReadTx } from '../storage/backend/backend.ts';
import type { KeyIndex } from './key-index.ts';
import { decodeKeyValue } from './key-value.ts';
import { keyToString, type KeyString } from './key-range.ts';
import { readKeyValue, type StoreCore } from './kv-store-txn.ts';
import { decodeRevision, encodeRevision, revisionBytesLength } from './revision.ts';

/** Checks the stored revisions of one key index; returns how many there are. */
export function checkKeyIndex(tx: ReadTx, keyIndex: KeyIndex): number {
  keyIndex.checkInvariants();
  let checked = 0;
  keyIndex.generations.forEach((generation, generationIndex) => {
    const endsInTombstone = generationIndex !== keyIndex.generations.length - 1;
    for (let position = 0; position < generation.length; position++) {
      const tombstone = endsInTombstone && position === generation.length - 1;
      const revision = generation.revisionAt(position);
      const value = tx.get('key', encodeRevision(revision, tombstone));
      if (!(value !== undefined)) throw new AssertionError(`revision (${revision.main}, ${revision.sub}) of ${JSON.stringify(keyIndex.key)} missing from the backend`);
      if (!(keyToString(decodeKeyValue(value).key) === keyIndex.key)) throw new AssertionError(`revision (${revision.main}, ${revision.sub}) stores another key`);
      checked++;
    }
  });
  return checked;
}

/** Checks that the lease kept for `key` is the one stored with its current version; true when it is live. */
function checkLease(tx: ReadTx, core: StoreCore, key: KeyString): boolean {
  const found = core.index.get(key, core.currentRevision());
  const stored = found === undefined ? 0n : readKeyValue(tx, found.modified).lease;
  if (!(core.keyLeases.get(key) === stored)) throw new AssertionError(`key ${JSON.stringify(key)}: lease ${core.keyLeases.get(key)} kept, ${stored} stored`);
  return found !== undefined && stored !== 0n;
}

/** Checks the keys a write touched. */
export function checkKeys(tx: ReadTx, core: StoreCore, keys: Iterable<KeyString>): void {
  for (const key of keys) {
    const keyIndex = core.index.keyIndex(key);
    if (!(keyIndex !== undefined)) throw new AssertionError(`written key ${JSON.stringify(key)} missing from the index`);
    checkKeyIndex(tx, keyIndex);
    checkLease(tx, core, key);
  }
}

/** Checks the whole index, the kept leases and the whole key bucket. */
export function checkStore(tx: ReadTx, core: StoreCore): void {
  const compactedRevision = core.compactedRevision();
  let indexedAfterCompaction = 0;
  let leased = 0;
  core.index.forEach((keyIndex) => {
    if (keyIndex.isEmpty()) throw new AssertionError(`empty key index ${JSON.stringify(keyIndex.key)} left in the tree`);
    checkKeyIndex(tx, keyIndex);
    if (checkLease(tx, core, keyIndex.key)) leased++;
    for (const generation of keyIndex.generations) {
      for (let position = 0; position < generation.length; position++) {
        if (generation.mainAt(position) > compactedRevision) indexedAfterCompaction++;
      }
    }
  });
  if (!(core.keyLeases.size === leased)) throw new AssertionError(`${core.keyLeases.size} key leases kept for ${leased} leased live keys`);
  let storedAfterCompaction = 0;
  const start = encodeRevision({ main: Math.max(compactedRevision + 1, 0), sub: 0 });
  for (const { key } of tx.range('key', start)) {
    assert(key.length >= revisionBytesLength, 'malformed key in the key bucket');
    if (decodeRevision(key).main > compactedRevision) storedAfterCompaction++;
  }
  assert(
    storedAfterCompaction === indexedAfterCompaction,
    `backend holds ${storedAfterCompaction} revisions after ${compactedRevision}, index ${indexedAfterCompaction}`,
  );
}
