// Cases from etcd's index_test.go, plus limits, counts, from-key ranges and undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyStringInfinity } from './key-range.ts';
import { type Revision, RevisionSet } from './revision.ts';
import { type IndexUndoLog, TreeIndex } from './tree-index.ts';

const main = (value: number, sub = 0): Revision => ({ main: value, sub });

function showRevisions(revisions: Revision[]): string {
  return revisions.map((revision) => (revision.sub === 0 ? `${revision.main}` : `${revision.main}.${revision.sub}`)).join(' ');
}

function showIndex(index: TreeIndex): string {
  const lines: string[] = [];
  index.forEach((keyIndex) => {
    const generations = keyIndex.generations.map((generation) => `v${generation.version}[${showRevisions(Array.from({ length: generation.length }, (_, position) => generation.revisionAt(position)))}]`);
    lines.push(`${keyIndex.key}@${keyIndex.modifiedMain}.${keyIndex.modifiedSub}: ${generations.join(' ')}`);
  });
  return lines.join('\n');
}

test('get follows puts and a tombstone (TestIndexGet)', () => {
  const index = new TreeIndex();
  index.put('foo', main(2));
  index.put('foo', main(4));
  index.tombstone('foo', main(6));
  const expected: Array<[number, string]> = [[0, 'none'], [1, 'none'], [2, '2 2 1'], [3, '2 2 1'], [4, '4 2 2'], [5, '4 2 2'], [6, 'none']];
  for (const [rev, want] of expected) {
    const found = index.get('foo', rev);
    assert.equal(found === undefined ? 'none' : `${found.modified.main} ${found.created.main} ${found.version}`, want, `get at ${rev}`);
  }
});

test('range returns keys in [key, end) with their revisions (TestIndexRange)', () => {
  const index = new TreeIndex();
  index.put('foo', main(1));
  index.put('foo1', main(2));
  index.put('foo2', main(3));
  const cases: Array<[string, string | undefined, string]> = [
    ['bar', undefined, ''],
    ['foo', undefined, 'foo:1'],
    ['foo', 'foo1', 'foo:1'],
    ['foo', 'foo2', 'foo:1 foo1:2'],
    ['foo', 'fop', 'foo:1 foo1:2 foo2:3'],
    ['foo1', 'fop', 'foo1:2 foo2:3'],
    ['foo2', 'fop', 'foo2:3'],
    ['foo3', 'fop', ''],
    ['foo1', keyStringInfinity, 'foo1:2 foo2:3'],
    ['', keyStringInfinity, 'foo:1 foo1:2 foo2:3'],
  ];
  for (const [key, end, want] of cases) {
    const result = index.range(key, end, 3);
    assert.equal(result.keys.map((found, position) => `${found}:${result.revisions[position]!.main}`).join(' '), want, `${key}..${end}`);
    assert.equal(result.count, result.keys.length);
    assert.equal(index.countRevisions(key, end, 3), result.keys.length);
  }
});

test('range with a limit returns the first keys but counts all of them', () => {
  const index = new TreeIndex();
  for (let number = 0; number < 10; number++) index.put(`k${number}`, main(number + 1));
  const result = index.range('k', keyStringInfinity, 10, 3);
  assert.deepEqual(result.keys, ['k0', 'k1', 'k2']);
  assert.equal(result.count, 10);
  assert.equal(index.range('k', keyStringInfinity, 5, 3).count, 5, 'only 5 keys existed at revision 5');
});

test('a tombstoned key is gone at and after the tombstone, and cannot be tombstoned twice (TestIndexTombstone)', () => {
  const index = new TreeIndex();
  index.put('foo', main(1));
  assert.equal(index.tombstone('foo', main(2)), true);
  assert.equal(index.get('foo', 2), undefined);
  assert.equal(index.tombstone('foo', main(3)), false);
  assert.equal(index.tombstone('missing', main(3)), false);
});

test('rangeSince lists revisions since a revision in revision order (TestIndexRangeSince)', () => {
  const index = new TreeIndex();
  const keys = ['foo', 'foo1', 'foo2', 'foo2', 'foo1', 'foo'];
  keys.forEach((key, position) => index.put(key, main(position + 1)));
  const cases: Array<[string, string | undefined, string]> = [
    ['bar', undefined, ''],
    ['foo', undefined, '1 6'],
    ['foo', 'foo1', '1 6'],
    ['foo', 'foo2', '1 2 5 6'],
    ['foo', 'fop', '1 2 3 4 5 6'],
    ['foo1', 'fop', '2 3 4 5'],
    ['foo2', 'fop', '3 4'],
    ['foo3', 'fop', ''],
  ];
  for (const [key, end, want] of cases) assert.equal(showRevisions(index.rangeSince(key, end, 1)), want, `${key}..${end}`);
});

// etcd's TestIndexCompactAndKeep history: [key, tombstone?, revision, created, version].
const history: Array<[string, boolean, Revision, Revision, number]> = [
  ['foo', false, main(1), main(1), 1],
  ['foo1', false, main(2), main(2), 1],
  ['foo2', false, main(3), main(3), 1],
  ['foo2', false, main(4), main(3), 2],
  ['foo', false, main(5), main(1), 2],
  ['foo1', false, main(6), main(2), 2],
  ['foo1', true, main(7), main(0), 0],
  ['foo2', true, main(8), main(0), 0],
  ['foo', true, main(9), main(0), 0],
  ['foo', false, main(10), main(10), 1],
  ['foo1', false, main(10, 1), main(10, 1), 1],
];

function buildHistory(): TreeIndex {
  const index = new TreeIndex();
  for (const [key, tombstone, revision] of history) {
    if (tombstone) index.tombstone(key, revision);
    else index.put(key, revision);
  }
  return index;
}

/** What the index must look like after compacting at `rev` with keep set `kept`: rebuilt as restore would. */
function expectedAfterCompaction(rev: number, kept: RevisionSet): TreeIndex {
  const expected = new TreeIndex();
  for (const [key, tombstone, revision, created, version] of history) {
    if (!kept.has(revision.main, revision.sub) && revision.main <= rev) continue;
    if (tombstone) {
      expected.tombstone(key, revision);
    } else if (expected.keyIndex(key) === undefined) {
      expected.put(key, revision);
      const keyIndex = expected.keyIndex(key)!;
      keyIndex.generations[0]!.version = version;
      keyIndex.generations[0]!.createdMain = created.main;
    } else {
      expected.put(key, revision);
    }
  }
  return expected;
}

test('compact and keep agree, and compaction leaves what a restore of the kept revisions gives (TestIndexCompactAndKeep)', () => {
  const continuous = buildHistory();
  for (let rev = 1; rev < 20; rev++) {
    const kept = continuous.compact(rev);
    assert.deepEqual([...continuous.keep(rev)].sort((a, b) => a.main - b.main || a.sub - b.sub), [...kept].sort((a, b) => a.main - b.main || a.sub - b.sub), `keep(${rev})`);
    assert.equal(showIndex(continuous), showIndex(expectedAfterCompaction(rev, kept)), `continuous compact(${rev})`);
    continuous.checkInvariants();

    const once = buildHistory();
    const keptOnce = once.compact(rev);
    assert.equal(showIndex(once), showIndex(expectedAfterCompaction(rev, keptOnce)), `single compact(${rev})`);
  }
  assert.equal(continuous.size, 2, 'foo2 was deleted and compacted away');
});

test('undo reverts puts, tombstones and new keys of a transaction', () => {
  const index = buildHistory();
  const before = showIndex(index);
  const undo: IndexUndoLog = [];
  index.put('new', main(11), undo);
  index.put('foo', main(11, 1), undo);
  index.tombstone('foo1', main(11, 2), undo);
  index.put('foo1', main(11, 3), undo);
  assert.notEqual(showIndex(index), before);
  index.undo(undo);
  assert.equal(showIndex(index), before);
  assert.equal(index.keyIndex('new'), undefined);
  index.checkInvariants();
});
