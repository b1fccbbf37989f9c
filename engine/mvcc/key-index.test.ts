// Cases from etcd's key_index_test.go, on the same example history:
//   key "foo", generations {2, 4, 6(t)}, {8, 10, 12(t)}, {14, 14.1, 16(t)}, {}
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generation, KeyIndex } from './key-index.ts';
import { type Revision, RevisionSet } from './revision.ts';

function showRevision(main: number, sub: number): string {
  return sub === 0 ? `${main}` : `${main}.${sub}`;
}

/** "c2 v3 [2 4 6]" per generation, "{}" for an empty one, joined by " | ". */
function showGenerations(keyIndex: KeyIndex): string {
  return keyIndex.generations
    .map((generation) => {
      if (generation.isEmpty() && generation.version === 0) return '{}';
      const revisions = Array.from({ length: generation.length }, (_, position) => showRevision(generation.mainAt(position), generation.subAt(position)));
      return `c${showRevision(generation.createdMain, generation.createdSub)} v${generation.version} [${revisions.join(' ')}]`;
    })
    .join(' | ');
}

function showSet(set: RevisionSet): string {
  return [...set]
    .sort((a, b) => a.main - b.main || a.sub - b.sub)
    .map((revision) => showRevision(revision.main, revision.sub))
    .join(' ');
}

function showRevisions(revisions: Revision[]): string {
  return revisions.map((revision) => showRevision(revision.main, revision.sub)).join(' ');
}

function exampleKeyIndex(): KeyIndex {
  const keyIndex = new KeyIndex('foo');
  keyIndex.put(2, 0);
  keyIndex.put(4, 0);
  keyIndex.tombstone(6, 0);
  keyIndex.put(8, 0);
  keyIndex.put(10, 0);
  keyIndex.tombstone(12, 0);
  keyIndex.put(14, 0);
  keyIndex.put(14, 1);
  keyIndex.tombstone(16, 0);
  return keyIndex;
}

test('get at a revision finds the version alive then, or nothing between generations (TestKeyIndexGet)', () => {
  const keyIndex = exampleKeyIndex();
  keyIndex.compact(4, new RevisionSet());
  // rev -> "modified created version", or "none"
  const expected: Record<number, string> = {
    17: 'none', 16: 'none', 15: '14.1 14 2', 14: '14.1 14 2', 13: 'none', 12: 'none',
    11: '10 8 2', 10: '10 8 2', 9: '8 8 1', 8: '8 8 1', 7: 'none', 6: 'none',
    5: '4 2 2', 4: '4 2 2', 3: 'none', 2: 'none', 1: 'none', 0: 'none',
  };
  for (const [rev, want] of Object.entries(expected)) {
    const found = keyIndex.get(Number(rev));
    const got = found === undefined ? 'none' : `${showRevision(found.modified.main, found.modified.sub)} ${showRevision(found.created.main, found.created.sub)} ${found.version}`;
    assert.equal(got, want, `get(${rev})`);
  }
});

test('since returns the revisions from a revision on, the last per main revision (TestKeyIndexSince)', () => {
  const keyIndex = exampleKeyIndex();
  keyIndex.compact(4, new RevisionSet());
  const all = ['4', '6', '8', '10', '12', '14.1', '16'];
  const expected: Record<number, string[]> = {
    17: [], 16: all.slice(6), 15: all.slice(6), 14: all.slice(5), 13: all.slice(5), 12: all.slice(4), 11: all.slice(4),
    10: all.slice(3), 9: all.slice(3), 8: all.slice(2), 7: all.slice(2), 6: all.slice(1), 5: all.slice(1),
    4: all, 3: all, 2: all, 1: all, 0: all,
  };
  for (const [rev, want] of Object.entries(expected)) assert.equal(showRevisions(keyIndex.since(Number(rev))), want.join(' '), `since(${rev})`);
});

test('put appends to the current generation (TestKeyIndexPut)', () => {
  const keyIndex = new KeyIndex('foo');
  keyIndex.put(5, 0);
  assert.equal(showGenerations(keyIndex), 'c5 v1 [5]');
  keyIndex.put(7, 0);
  assert.equal(showGenerations(keyIndex), 'c5 v2 [5 7]');
  assert.deepEqual(keyIndex.modified, { main: 7, sub: 0 });
  assert.throws(() => keyIndex.put(7, 0), /not after the last one/);
});

test('restore starts a generation from its created revision and version (TestKeyIndexRestore)', () => {
  const keyIndex = new KeyIndex('foo');
  keyIndex.restore({ main: 5, sub: 0 }, { main: 7, sub: 0 }, 2);
  assert.equal(showGenerations(keyIndex), 'c5 v2 [7]');
  assert.deepEqual(keyIndex.modified, { main: 7, sub: 0 });
});

test('tombstone ends a generation; a second tombstone is refused (TestKeyIndexTombstone)', () => {
  const keyIndex = new KeyIndex('foo');
  keyIndex.put(5, 0);
  assert.equal(keyIndex.tombstone(7, 0), true);
  assert.equal(showGenerations(keyIndex), 'c5 v2 [5 7] | {}');
  keyIndex.put(8, 0);
  keyIndex.put(9, 0);
  assert.equal(keyIndex.tombstone(15, 0), true);
  assert.equal(showGenerations(keyIndex), 'c5 v2 [5 7] | c8 v3 [8 9 15] | {}');
  assert.equal(keyIndex.tombstone(16, 0), false);
});

// compact revision -> [generations afterwards, keep set], from etcd's TestKeyIndexCompactAndKeep.
const compactCases: Array<[number, string, string]> = [
  [1, 'c2 v3 [2 4 6] | c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', ''],
  [2, 'c2 v3 [2 4 6] | c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', '2'],
  [3, 'c2 v3 [2 4 6] | c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', '2'],
  [4, 'c2 v3 [4 6] | c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', '4'],
  [5, 'c2 v3 [4 6] | c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', '4'],
  [6, 'c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', ''],
  [7, 'c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', ''],
  [8, 'c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', '8'],
  [9, 'c8 v3 [8 10 12] | c14 v3 [14 14.1 16] | {}', '8'],
  [10, 'c8 v3 [10 12] | c14 v3 [14 14.1 16] | {}', '10'],
  [11, 'c8 v3 [10 12] | c14 v3 [14 14.1 16] | {}', '10'],
  [12, 'c14 v3 [14 14.1 16] | {}', ''],
  [13, 'c14 v3 [14 14.1 16] | {}', ''],
  [14, 'c14 v3 [14.1 16] | {}', '14.1'],
  [15, 'c14 v3 [14.1 16] | {}', '14.1'],
  [16, '{}', ''],
];

function checkCompaction(keyIndex: KeyIndex, [rev, generations, keep]: [number, string, string]): void {
  const before = showGenerations(keyIndex);
  const kept = new RevisionSet();
  keyIndex.keep(rev, kept);
  assert.equal(showGenerations(keyIndex), before, `keep(${rev}) must not change the index`);
  assert.equal(showSet(kept), keep, `keep(${rev})`);
  const available = new RevisionSet();
  keyIndex.compact(rev, available);
  assert.equal(showGenerations(keyIndex), generations, `compact(${rev})`);
  assert.equal(showSet(available), keep, `compact(${rev}) keep set`);
}

test('continuous compaction keeps the newest revision at or before each compaction (TestKeyIndexCompactAndKeep)', () => {
  const keyIndex = exampleKeyIndex();
  for (const compactCase of compactCases) checkCompaction(keyIndex, compactCase);
  assert.equal(keyIndex.isEmpty(), true);
});

test('jumping compaction gives the same result as continuous compaction', () => {
  const keyIndex = exampleKeyIndex();
  compactCases.forEach((compactCase, index) => {
    if ((index % 2 === 0 && index < 6) || (index % 2 === 1 && index > 6)) checkCompaction(keyIndex, compactCase);
  });
});

test('a single compaction from the full history gives the same result', () => {
  for (const compactCase of compactCases) checkCompaction(exampleKeyIndex(), compactCase);
});

test('compaction beyond the last modification keeps the last revision (TestKeyIndexCompactOnFurtherRev)', () => {
  const keyIndex = new KeyIndex('foo');
  keyIndex.put(1, 0);
  keyIndex.put(2, 0);
  const available = new RevisionSet();
  keyIndex.compact(3, available);
  assert.equal(showGenerations(keyIndex), 'c1 v2 [2]');
  assert.equal(showSet(available), '2');
});

test('findGeneration returns the generation alive at a revision (TestKeyIndexFindGeneration)', () => {
  const keyIndex = exampleKeyIndex();
  const expected: Array<[number, number | undefined]> = [
    [0, undefined], [1, undefined], [2, 0], [3, 0], [4, 0], [5, 0], [6, undefined], [7, undefined],
    [8, 1], [9, 1], [10, 1], [11, 1], [12, undefined], [13, undefined],
  ];
  for (const [rev, generation] of expected) {
    const found = keyIndex.findGeneration(rev);
    assert.equal(found === undefined ? undefined : keyIndex.generations.indexOf(found), generation, `findGeneration(${rev})`);
  }
});

test('isEmpty is true only for a single empty generation (TestKeyIndexIsEmpty, TestGenerationIsEmpty)', () => {
  assert.equal(new KeyIndex('foo').isEmpty(), true);
  const live = new KeyIndex('foo');
  live.restore({ main: 1, sub: 0 }, { main: 2, sub: 0 }, 2);
  assert.equal(live.isEmpty(), false);
  assert.equal(new Generation().isEmpty(), true);
});

test('lastAtOrBefore finds the newest revision at or before a revision (etcd walk, TestGenerationWalk)', () => {
  const generation = new Generation();
  generation.revisions = [2, 0, 4, 0, 6, 0];
  const expected: Array<[number, number]> = [[7, 2], [6, 2], [5, 1], [4, 1], [3, 0], [2, 0], [1, -1]];
  for (const [rev, position] of expected) assert.equal(generation.lastAtOrBefore(rev), position, `at ${rev}`);
});

test('undoing puts and tombstones restores the exact previous history', () => {
  const keyIndex = exampleKeyIndex();
  const before = showGenerations(keyIndex);
  const modified = keyIndex.modified;
  keyIndex.put(17, 0);
  keyIndex.put(17, 1);
  keyIndex.tombstone(17, 2);
  keyIndex.undoTombstone({ main: 17, sub: 1 });
  keyIndex.undoPut({ main: 17, sub: 0 });
  keyIndex.undoPut(modified);
  assert.equal(showGenerations(keyIndex), before);
  assert.deepEqual(keyIndex.modified, modified);
});

test('the scan shortcuts modifiedAt and existsAt agree with get at every revision', () => {
  for (const compactAt of [0, 4, 13]) {
    const keyIndex = exampleKeyIndex();
    if (compactAt > 0) keyIndex.compact(compactAt, new RevisionSet());
    for (let rev = 0; rev <= 18; rev++) {
      const found = keyIndex.get(rev);
      assert.deepEqual(keyIndex.modifiedAt(rev), found?.modified, `modifiedAt(${rev}) after compacting at ${compactAt}`);
      assert.equal(keyIndex.existsAt(rev), found !== undefined, `existsAt(${rev})`);
    }
  }
});
