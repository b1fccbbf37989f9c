// The log: unstable entries over storage, conflict resolution, commit and term lookups.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompactedError } from './errors.ts';
import { RaftLog } from './log.ts';
import { MemoryStorage } from './memory-storage.ts';
import { type Entry, EntryType } from './types.ts';
import { emptyConfState } from './util.ts';

const entry = (index: number, term: number): Entry => ({ index, term, type: EntryType.Normal, data: new Uint8Array(4) });
const ids = (entries: Entry[]) => entries.map((e) => `${e.term}/${e.index}`);

/** A log with entries 1..n of `terms` persisted, and the given unstable ones. */
function logWith(stored: number[], unstable: Entry[] = []): RaftLog {
  const storage = new MemoryStorage();
  storage.append(stored.map((term, i) => entry(i + 1, term)));
  const log = new RaftLog(storage, Infinity);
  if (unstable.length > 0) log.append(unstable);
  return log;
}

test('maybeAppend accepts entries after a matching (index, term) and rejects otherwise', () => {
  const log = logWith([1, 2, 3]);
  assert.equal(log.maybeAppend(3, 2, 3, [entry(4, 3)]), undefined, 'previous term mismatch');
  assert.equal(log.maybeAppend(4, 3, 3, [entry(5, 3)]), undefined, 'previous index missing');
  assert.equal(log.maybeAppend(3, 3, 2, [entry(4, 3), entry(5, 3)]), 5);
  assert.equal(log.committed, 2);
  assert.deepEqual(ids(log.allEntries()), ['1/1', '2/2', '3/3', '3/4', '3/5']);
});

test('maybeAppend truncates a conflicting suffix but keeps matching entries (duplicates are no-ops)', () => {
  const log = logWith([1, 1, 1], [entry(4, 1), entry(5, 1)]);
  // A duplicate of what we have changes nothing, and never truncates the tail after it.
  assert.equal(log.maybeAppend(1, 1, 0, [entry(2, 1)]), 2);
  assert.equal(log.lastIndex(), 5);
  // A conflict at 3 replaces 3..5.
  assert.equal(log.maybeAppend(2, 1, 0, [entry(3, 2), entry(4, 2)]), 4);
  assert.deepEqual(ids(log.allEntries()), ['1/1', '1/2', '2/3', '2/4']);
});

test('a conflict with a committed entry is a fatal invariant violation', () => {
  const log = logWith([1, 1, 1]);
  log.commitTo(3);
  assert.throws(() => log.maybeAppend(1, 1, 3, [entry(2, 2)]), /conflicts with committed entry/);
});

test('findConflictByTerm finds the last index whose term is at most the given term', () => {
  const log = logWith([1, 1, 2, 2, 4, 4]);
  assert.deepEqual(log.findConflictByTerm(6, 3), { index: 4, term: 2 });
  assert.deepEqual(log.findConflictByTerm(6, 4), { index: 6, term: 4 });
  assert.deepEqual(log.findConflictByTerm(4, 1), { index: 2, term: 1 });
  assert.deepEqual(log.findConflictByTerm(6, 0), { index: 0, term: 0 });
});

test('commit only moves forward, and maybeCommit requires an entry of the given term', () => {
  const log = logWith([1, 2, 2]);
  assert.equal(log.maybeCommit(2, 1), false, 'entry 2 is of term 2');
  assert.equal(log.maybeCommit(3, 2), true);
  log.commitTo(1);
  assert.equal(log.committed, 3);
  assert.throws(() => log.commitTo(9), /out of range/);
});

test('slices span storage and unstable entries and respect byte limits', () => {
  const log = logWith([1, 1], [entry(3, 2), entry(4, 2)]);
  assert.deepEqual(ids(log.slice(1, 5, Infinity)), ['1/1', '1/2', '2/3', '2/4']);
  assert.deepEqual(ids(log.slice(2, 4, Infinity)), ['1/2', '2/3']);
  assert.deepEqual(ids(log.slice(1, 5, 50)), ['1/1', '1/2'], '20 bytes each with framing');
  assert.deepEqual(ids(log.slice(3, 5, 0)), ['2/3']);
  (log.storage as MemoryStorage).compact(1);
  assert.throws(() => log.slice(1, 3, Infinity), CompactedError);
});

test('entries become stable only if they were not replaced in the meantime', () => {
  const log = logWith([1], [entry(2, 1), entry(3, 1)]);
  // While 2..3 (term 1) were being persisted, a new leader replaced 3.
  log.append([entry(3, 2)]);
  assert.equal(log.stableTo(3, 1), false);
  assert.equal(log.unstable.offset, 2);
  assert.equal(log.stableTo(2, 1), true);
  assert.equal(log.unstable.offset, 3);
  assert.deepEqual(ids(log.unstableEntries()), ['2/3']);
});

test('committed entries are handed out once, from the applying cursor, within the byte limit', () => {
  const storage = new MemoryStorage();
  storage.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  const log = new RaftLog(storage, 45);
  log.commitTo(3);
  assert.deepEqual(ids(log.nextCommittedEntries()), ['1/1', '1/2']);
  log.acceptApplying(2);
  assert.deepEqual(ids(log.nextCommittedEntries()), ['1/3']);
  log.appliedTo(2);
  log.acceptApplying(3);
  assert.equal(log.hasNextCommittedEntries(), false);
});

test('a restored snapshot replaces the log and moves the commit index', () => {
  const log = logWith([1, 1, 1]);
  log.restore({ data: new Uint8Array(0), metadata: { index: 10, term: 3, confState: emptyConfState() } });
  assert.equal(log.committed, 10);
  assert.equal(log.firstIndex(), 11);
  assert.equal(log.lastIndex(), 10);
  assert.equal(log.lastTerm(), 3);
  assert.equal(log.term(5), 0, 'indexes before the snapshot are unknown');
});

test('isUpToDate compares last term first, then last index', () => {
  const log = logWith([1, 2, 2]);
  assert.equal(log.isUpToDate(1, 3), true);
  assert.equal(log.isUpToDate(3, 2), true);
  assert.equal(log.isUpToDate(2, 2), false);
  assert.equal(log.isUpToDate(9, 1), false);
});
