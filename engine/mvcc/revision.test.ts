import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRevisions, decodeRevision, encodeRevision, isTombstone, RevisionSet } from './revision.ts';

test('a revision encodes as 8-byte big-endian main, "_", 8-byte big-endian sub', () => {
  const bytes = encodeRevision({ main: 0x0102030405, sub: 7 });
  assert.deepEqual([...bytes], [0, 0, 0, 1, 2, 3, 4, 5, 0x5f, 0, 0, 0, 0, 0, 0, 0, 7]);
  assert.deepEqual(decodeRevision(bytes), { main: 0x0102030405, sub: 7 });
  assert.equal(isTombstone(bytes), false);
});

test('a tombstone carries an 18th byte "t" and decodes to the same revision', () => {
  const bytes = encodeRevision({ main: 9, sub: 2 }, true);
  assert.equal(bytes.length, 18);
  assert.equal(bytes[17], 0x74);
  assert.equal(isTombstone(bytes), true);
  assert.deepEqual(decodeRevision(bytes), { main: 9, sub: 2 });
});

test('byte order of encoded revisions is revision order, up to 2^53', () => {
  const revisions = [
    { main: 1, sub: 0 },
    { main: 1, sub: 1 },
    { main: 1, sub: 300 },
    { main: 255, sub: 0 },
    { main: 256, sub: 0 },
    { main: 2 ** 32, sub: 0 },
    { main: 2 ** 53 - 1, sub: 2 ** 40 },
  ];
  for (let index = 1; index < revisions.length; index++) {
    const [a, b] = [revisions[index - 1]!, revisions[index]!];
    assert.ok(compareRevisions(a, b) < 0);
    assert.ok(Buffer.compare(encodeRevision(a), encodeRevision(b)) < 0, `${a.main}.${a.sub} < ${b.main}.${b.sub}`);
    assert.deepEqual(decodeRevision(encodeRevision(b)), b);
  }
});

test('revisions outside the safe integer range are refused', () => {
  assert.throws(() => encodeRevision({ main: 2 ** 53, sub: 0 }), /out of range/);
  assert.throws(() => encodeRevision({ main: -1, sub: 0 }), /out of range/);
  const tooLarge = encodeRevision({ main: 1, sub: 0 });
  tooLarge[0] = 0x01; // 2^56 + 1
  assert.throws(() => decodeRevision(tooLarge), /beyond 2\^53/);
});

test('RevisionSet adds, finds, deletes and counts revisions sharing a main revision', () => {
  const set = new RevisionSet();
  set.add(5, 0);
  set.add(5, 0);
  set.add(5, 3);
  set.add(6, 1);
  assert.equal(set.size, 3);
  assert.ok(set.has(5, 3) && set.has(5, 0) && set.has(6, 1));
  assert.ok(!set.has(5, 1) && !set.has(7, 0));
  set.delete(5, 0);
  set.delete(5, 9);
  assert.equal(set.size, 2);
  assert.deepEqual([...set].sort(compareRevisions), [{ main: 5, sub: 3 }, { main: 6, sub: 1 }]);
});
