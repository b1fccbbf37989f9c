// MemoryStorage: the Storage contract, compaction, snapshots and conflicting appends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors.ts';
import { MemoryStorage } from './memory-storage.ts';
import { type Entry, EntryType } from './types.ts';
import { emptyConfState } from './util.ts';

const entry = (index: number, term: number, size = 0): Entry => ({ index, term, type: EntryType.Normal, data: new Uint8Array(size) });
const indexes = (entries: Entry[]) => entries.map((e) => `${e.term}/${e.index}`);

function storageWith(...entries: Entry[]): MemoryStorage {
  const storage = new MemoryStorage();
  storage.append(entries);
  return storage;
}

test('an empty storage reports first index 1 and last index 0', () => {
  const storage = new MemoryStorage();
  assert.equal(storage.firstIndex(), 1);
  assert.equal(storage.lastIndex(), 0);
  assert.equal(storage.term(0), 0);
  assert.throws(() => storage.term(1), UnavailableError);
});

test('entries are returned within the byte limit, but at least one', () => {
  const storage = storageWith(entry(1, 1, 10), entry(2, 1, 10), entry(3, 2, 10), entry(4, 2, 10));
  assert.deepEqual(indexes(storage.entries(1, 5, Infinity)), ['1/1', '1/2', '2/3', '2/4']);
  assert.deepEqual(indexes(storage.entries(1, 5, 52)), ['1/1', '1/2']); // 26 bytes each with framing
  assert.deepEqual(indexes(storage.entries(2, 5, 1)), ['1/2']);
  assert.deepEqual(storage.entries(3, 3, Infinity), []);
});

test('compaction keeps the compacted index\'s term and refuses older reads', () => {
  const storage = storageWith(entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 3));
  storage.compact(2);
  assert.equal(storage.firstIndex(), 3);
  assert.equal(storage.term(2), 1);
  assert.throws(() => storage.term(1), CompactedError);
  assert.throws(() => storage.entries(2, 4, Infinity), CompactedError);
  assert.deepEqual(indexes(storage.entries(3, 5, Infinity)), ['2/3', '3/4']);
  assert.throws(() => storage.compact(2), CompactedError);
  assert.throws(() => storage.compact(9), /out of bound/);
});

test('append replaces a conflicting suffix and skips compacted entries', () => {
  const storage = storageWith(entry(1, 1), entry(2, 1), entry(3, 1));
  storage.append([entry(2, 2), entry(3, 2), entry(4, 2)]);
  assert.deepEqual(indexes(storage.entries(1, 5, Infinity)), ['1/1', '2/2', '2/3', '2/4']);
  storage.compact(3);
  storage.append([entry(2, 2), entry(3, 2), entry(4, 2), entry(5, 3)]);
  assert.deepEqual(indexes(storage.entries(4, 6, Infinity)), ['2/4', '3/5']);
  assert.throws(() => storage.append([entry(9, 3)]), /missing log entry/);
});

test('snapshots: created from the log, applied only when newer', () => {
  const storage = storageWith(entry(1, 1), entry(2, 1), entry(3, 2));
  const confState = { ...emptyConfState(), voters: [1n] };
  const created = storage.createSnapshot(2, confState, new Uint8Array([7]));
  assert.deepEqual(created.metadata, { index: 2, term: 1, confState });
  assert.equal(storage.initialState().confState, confState);
  assert.throws(() => storage.createSnapshot(2, confState, new Uint8Array(0)), SnapshotOutOfDateError);
  assert.throws(() => storage.applySnapshot({ data: new Uint8Array(0), metadata: { index: 1, term: 1, confState } }), SnapshotOutOfDateError);
  storage.applySnapshot({ data: new Uint8Array(0), metadata: { index: 10, term: 4, confState } });
  assert.equal(storage.firstIndex(), 11);
  assert.equal(storage.lastIndex(), 10);
  assert.equal(storage.term(10), 4);
});

test('the hard state round-trips through initialState', () => {
  const storage = new MemoryStorage();
  storage.setHardState({ term: 3, vote: 2n, commit: 0 });
  assert.deepEqual(storage.initialState().hardState, { term: 3, vote: 2n, commit: 0 });
});
