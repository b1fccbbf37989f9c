import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AssertionError } from '../../common/assert.ts';
import { EntryType } from '../../raft/types.ts';
import { Wal } from './wal.ts';
import { removeDirectory, segmentFiles, temporaryDirectory, testEntries, testEntry } from './wal-testing.ts';

const metadata = Buffer.from('member=1 cluster=2');

async function withDirectory(body: (directory: string) => Promise<void>): Promise<void> {
  const root = temporaryDirectory('wal');
  try {
    await body(path.join(root, 'wal'));
  } finally {
    removeDirectory(root);
  }
}

test('entries, hard state, snapshot marks and metadata round-trip through close and open', async () => {
  await withDirectory(async (directory) => {
    const wal = await Wal.create(directory, metadata);
    const entries = [...testEntries(1, 5), { index: 6, term: 2, type: EntryType.ConfChange, data: new Uint8Array(0) }];
    await wal.save({ term: 2, vote: 0xfedcba9876543210n, commit: 4 }, entries);
    await wal.saveSnapshotMark({ index: 3, term: 1 });
    await wal.save({ term: 2, vote: 0xfedcba9876543210n, commit: 6 }, []);
    await wal.close();

    const opened = await Wal.open(directory);
    assert.deepEqual(Buffer.from(opened.metadata), metadata);
    assert.deepEqual(opened.hardState, { term: 2, vote: 0xfedcba9876543210n, commit: 6 });
    assert.deepEqual(opened.snapshotMark, { index: 3, term: 1 });
    assert.deepEqual(opened.snapshotMarks, [{ index: 3, term: 1 }]);
    assert.deepEqual(opened.entries.map((entry) => ({ ...entry, data: Buffer.from(entry.data) })), entries.map((entry) => ({ ...entry, data: Buffer.from(entry.data) })));
    assert.deepEqual(opened.warnings, []);
    await opened.wal.close();
  });
});

test('open returns only the entries after the snapshot index it is given', async () => {
  await withDirectory(async (directory) => {
    const wal = await Wal.create(directory, metadata);
    await wal.save({ term: 1, vote: 1n, commit: 8 }, testEntries(1, 10));
    await wal.saveSnapshotMark({ index: 8, term: 1 });
    await wal.close();
    const opened = await Wal.open(directory, { snapshotIndex: 8, snapshotTerm: 1 });
    assert.deepEqual(opened.entries.map((entry) => entry.index), [9, 10]);
    await opened.wal.close();
    await assert.rejects(Wal.open(directory, { snapshotIndex: 7, snapshotTerm: 1 }), /no snapshot mark for the snapshot at index 7/);
    await assert.rejects(Wal.open(directory, { snapshotIndex: 8, snapshotTerm: 2 }), /no snapshot mark/);
    // Without a term the index is only a starting point (the backend's applied index, say).
    const fromApplied = await Wal.open(directory, { snapshotIndex: 7 });
    assert.deepEqual(fromApplied.entries.map((entry) => entry.index), [8, 9, 10]);
    await fromApplied.wal.close();
  });
});

test('appending continues after a reopen', async () => {
  await withDirectory(async (directory) => {
    const wal = await Wal.create(directory, metadata);
    await wal.save({ term: 1, vote: 0n, commit: 2 }, testEntries(1, 3));
    await wal.close();
    const first = await Wal.open(directory);
    assert.equal(first.wal.lastIndex, 3);
    await first.wal.save({ term: 1, vote: 0n, commit: 5 }, testEntries(4, 6));
    await first.wal.close();
    const second = await Wal.open(directory);
    assert.deepEqual(second.entries.map((entry) => entry.index), [1, 2, 3, 4, 5, 6]);
    assert.equal(second.hardState?.commit, 5);
    await second.wal.close();
  });
});

test('a later entry at index i replaces every entry from i on (Raft overwriting an uncommitted tail)', async () => {
  await withDirectory(async (directory) => {
    const wal = await Wal.create(directory, metadata);
    await wal.save({ term: 1, vote: 0n, commit: 5 }, testEntries(1, 10, 1));
    await wal.save({ term: 2, vote: 0n, commit: 5 }, testEntries(7, 8, 2));
    assert.equal(wal.lastIndex, 8);
    await wal.close();
    const opened = await Wal.open(directory);
    assert.deepEqual(
      opened.entries.map((entry) => [entry.index, entry.term]),
      [[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1], [7, 2], [8, 2]],
    );
    assert.deepEqual(Buffer.from(opened.entries[6]!.data), Buffer.from(testEntry(7, 2).data));
    await opened.wal.close();
  });
});

test('save refuses entries that leave a gap or overwrite committed entries', async () => {
  await withDirectory(async (directory) => {
    const wal = await Wal.create(directory, metadata);
    await wal.save({ term: 1, vote: 0n, commit: 3 }, testEntries(1, 5));
    assert.throws(() => wal.save(undefined, testEntries(7, 8)), AssertionError);
    assert.throws(() => wal.save(undefined, testEntries(3, 4)), AssertionError);
    assert.throws(() => wal.save(undefined, [testEntry(6), testEntry(8)]), AssertionError);
    assert.throws(() => wal.save({ term: 1, vote: 0n, commit: 9 }, []), AssertionError);
    await wal.save(undefined, testEntries(4, 6));
    await wal.close();
    const opened = await Wal.open(directory);
    assert.deepEqual(opened.entries.map((entry) => entry.index), [1, 2, 3, 4, 5, 6]);
    await opened.wal.close();
  });
});

test('segments are cut at segmentBytes, each repeats the metadata and state, and releaseTo deletes old ones', async () => {
  await withDirectory(async (directory) => {
    const segmentBytes = 4096;
    const wal = await Wal.create(directory, metadata, { segmentBytes });
    for (let index = 1; index <= 200; index++) await wal.save({ term: 1, vote: 7n, commit: index - 1 }, [testEntry(index)]);
    await wal.saveSnapshotMark({ index: 150, term: 1 });
    await wal.save({ term: 1, vote: 7n, commit: 200 }, []);
    const files = segmentFiles(directory);
    assert.ok(files.length >= 3, `expected several segments, got ${files.length}`);
    for (const file of files.slice(0, -1)) {
      const name = path.basename(file);
      assert.match(name, /^[0-9a-f]{16}-[0-9a-f]{16}\.wal$/);
    }
    const firstIndexes = files.map((file) => Number.parseInt(path.basename(file).slice(17, 33), 16));
    // Release everything below 150: every segment whose successor starts at or before 150 goes.
    await wal.releaseTo(150);
    const kept = segmentFiles(directory);
    const expectedKept = files.filter((_, position) => position === files.length - 1 || firstIndexes[position + 1]! > 150);
    assert.deepEqual(kept, expectedKept);
    assert.ok(kept.length < files.length);
    await wal.close();

    const opened = await Wal.open(directory, { snapshotIndex: 150, snapshotTerm: 1, segmentBytes });
    assert.deepEqual(Buffer.from(opened.metadata), metadata);
    assert.deepEqual(opened.hardState, { term: 1, vote: 7n, commit: 200 });
    assert.deepEqual(opened.entries.map((entry) => entry.index), testEntries(151, 200).map((entry) => entry.index));
    await opened.wal.close();
    // A snapshot older than the released log cannot be served: the entries after it are gone.
    await assert.rejects(Wal.open(directory, { segmentBytes }), /are missing|no snapshot mark/);
  });
});

test('an overwrite that reaches back across a segment cut replaces the entries of the older segment', async () => {
  await withDirectory(async (directory) => {
    const segmentBytes = 2048;
    const wal = await Wal.create(directory, metadata, { segmentBytes });
    for (let index = 1; index <= 60; index++) await wal.save({ term: 1, vote: 0n, commit: Math.min(index, 40) }, [testEntry(index, 1)]);
    const before = segmentFiles(directory).length;
    await wal.save({ term: 2, vote: 0n, commit: 40 }, testEntries(45, 47, 2));
    for (let index = 48; index <= 70; index++) await wal.save(undefined, [testEntry(index, 2)]);
    assert.ok(segmentFiles(directory).length > before);
    await wal.close();
    const opened = await Wal.open(directory, { segmentBytes });
    const terms = opened.entries.map((entry) => entry.term);
    assert.equal(opened.entries.length, 70);
    assert.deepEqual(terms.slice(0, 44), new Array(44).fill(1));
    assert.deepEqual(terms.slice(44), new Array(26).fill(2));
    await opened.wal.close();
  });
});

test('a snapshot mark beyond the log replaces it, and entries continue after the mark', async () => {
  await withDirectory(async (directory) => {
    const wal = await Wal.create(directory, metadata);
    await wal.save({ term: 1, vote: 0n, commit: 5 }, testEntries(1, 10));
    await wal.saveSnapshotMark({ index: 50, term: 3 });
    await wal.save({ term: 3, vote: 0n, commit: 50 }, testEntries(51, 53, 3));
    await wal.close();
    const opened = await Wal.open(directory, { snapshotIndex: 50, snapshotTerm: 3 });
    assert.deepEqual(opened.entries.map((entry) => entry.index), [51, 52, 53]);
    assert.deepEqual(opened.snapshotMarks, [{ index: 50, term: 3 }]);
    await opened.wal.close();
    assert.deepEqual(await Wal.readSnapshotMarks(directory), [{ index: 50, term: 3 }]);
    await assert.rejects(Wal.open(directory), /replaced by the snapshot at index 50/);
  });
});

test('create refuses a directory that already holds a WAL, and saves after close are refused', async () => {
  await withDirectory(async (directory) => {
    const wal = await Wal.create(directory, metadata);
    await assert.rejects(Wal.create(directory, metadata), /already holds a WAL/);
    await wal.close();
    await assert.rejects(wal.save(undefined, [testEntry(1)]), /closed/);
  });
});
