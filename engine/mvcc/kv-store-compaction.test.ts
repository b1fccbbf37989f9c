// Compaction: validation, what the index and the backend keep, batching, and resuming after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '../common/errors.ts';
import { KvStore } from './kv-store.ts';
import { readCompactRevision } from './meta.ts';
import { decodeRevision, isTombstone } from './revision.ts';
import type { TestBackend } from './testing/test-backend.ts';
import { bytes, openTestStore, put, remove, show } from './testing/helpers.ts';

function backendRevisions(backend: TestBackend): string[] {
  return backend.entries('key').map((entry) => {
    const revision = decodeRevision(entry.key);
    return `${revision.main}.${revision.sub}${isTombstone(entry.key) ? 't' : ''}`;
  });
}

test('compaction keeps the last value at or before the compacted revision (TestKVCompactReserveLastValue)', async () => {
  const { store, scheduler } = openTestStore();
  put(store, 'foo', 'bar0', 1n);
  put(store, 'foo', 'bar1', 2n);
  remove(store, 'foo');
  put(store, 'foo', 'bar2', 3n);
  const expected: Array<[number, string[]]> = [
    [1, ['foo=bar0 c=2 m=2 v=1 lease=1']],
    [2, ['foo=bar1 c=2 m=3 v=2 lease=2']],
    [3, []],
    [4, ['foo=bar2 c=5 m=5 v=1 lease=3']],
  ];
  for (const [rev, kvs] of expected) {
    const done = store.compact(rev);
    scheduler.runUntilIdle();
    assert.equal(await done, true);
    assert.deepEqual(store.read().range(bytes('foo'), undefined, { rev: rev + 1 }).kvs.map(show), kvs, `after compacting at ${rev}`);
    store.verify();
  }
});

test('compaction refuses revisions not above the last compaction or above the current one (TestKVCompactBad)', () => {
  const { store, scheduler } = openTestStore();
  put(store, 'foo', 'bar0');
  put(store, 'foo', 'bar1');
  put(store, 'foo', 'bar2');
  const cases: Array<[number, Error | undefined]> = [[0, undefined], [1, undefined], [1, Errors.Compacted], [4, undefined], [5, Errors.FutureRev], [100, Errors.FutureRev]];
  for (const [rev, error] of cases) {
    if (error === undefined) void store.compact(rev);
    else assert.throws(() => store.compact(rev), (thrown) => thrown === error, `compact(${rev})`);
    scheduler.runUntilIdle();
  }
  assert.equal(store.compactedRevision(), 4);
});

test('after compaction the index and the backend hold exactly the kept revisions', async () => {
  const { store, backend, scheduler } = openTestStore();
  put(store, 'a', '1'); // 2
  put(store, 'a', '2'); // 3
  put(store, 'b', '1'); // 4
  remove(store, 'b'); // 5 (tombstone)
  put(store, 'c', '1'); // 6
  store.write((txn) => {
    txn.put(bytes('c'), bytes('2')); // 7.0
    txn.put(bytes('d'), bytes('1')); // 7.1
  });
  remove(store, 'd'); // 8 (tombstone)
  put(store, 'a', '3'); // 9
  assert.deepEqual(backendRevisions(backend), ['2.0', '3.0', '4.0', '5.0t', '6.0', '7.0', '7.1', '8.0t', '9.0']);
  const done = store.compact(7);
  // Reads below the compaction are refused at once; the index and backend passes run in background steps.
  assert.throws(() => store.read().range(bytes('a'), undefined, { rev: 6 }), (error) => error === Errors.Compacted);
  assert.equal(readCompactRevision(backend, 'scheduled'), 7);
  assert.ok(store.index.keyIndex('b') !== undefined);
  scheduler.step(); // the index pass (one step for so few keys)
  assert.equal(store.index.keyIndex('b'), undefined, 'b was deleted before 7: compacted away');
  assert.equal(readCompactRevision(backend, 'finished'), undefined);
  scheduler.runUntilIdle();
  assert.equal(await done, true);
  // Kept: a@3 (latest a at 7), c@7.0, d@7.1; everything after 7 stays.
  assert.deepEqual(backendRevisions(backend), ['3.0', '7.0', '7.1', '8.0t', '9.0']);
  assert.equal(readCompactRevision(backend, 'finished'), 7);
  assert.deepEqual(store.read().range(bytes('a'), bytes('z'), { rev: 7 }).kvs.map(show), ['a=2 c=2 m=3 v=2', 'c=2 c=6 m=7 v=2', 'd=1 c=7 m=7 v=1']);
  store.verify();
  // Compacting at the tombstone of d removes it and the key index of d.
  void store.compact(8);
  scheduler.runUntilIdle();
  assert.deepEqual(backendRevisions(backend), ['3.0', '7.0', '9.0']);
  assert.equal(store.index.keyIndex('d'), undefined);
  store.verify();
});

test('the backend is compacted in batches, one backend write each, and writes interleave between batches', async () => {
  const { store, backend, scheduler } = openTestStore({ compactionBatchKeys: 10, compactionBatchPauseMs: 10 });
  for (let number = 0; number < 100; number++) put(store, 'hot', `v${number}`);
  const writesBefore = backend.writes;
  const done = store.compact(101);
  assert.equal(backend.writes, writesBefore + 1, 'only the scheduled record so far');
  let batches = 0;
  while (scheduler.step()) {
    batches++;
    put(store, 'other', `written between batches ${batches}`);
    assert.ok(batches < 50, 'compaction must finish');
  }
  assert.equal(await done, true);
  assert.equal(batches, 12, 'one index step, then 100 revisions in batches of 10 (the last finds fewer than 10)');
  assert.equal(scheduler.now, 100, 'a 10 ms pause between batches');
  assert.deepEqual(store.read().range(bytes('hot'), undefined).kvs.map(show), ['hot=v99 c=2 m=101 v=100']);
  store.verify();
});

test('compacting the index in small steps while writes go on gives the same store as compacting at once', async () => {
  const history = (store: KvStore, round: number): void => {
    put(store, `key${round % 13}`, `${round}`);
    if (round % 5 === 0) remove(store, `key${(round * 7) % 13}`);
  };
  const stepped = openTestStore({ compactionIndexBatchKeys: 2, compactionBatchKeys: 3 });
  const reference = openTestStore();
  for (let round = 0; round < 60; round++) {
    history(stepped.store, round);
    history(reference.store, round);
  }
  const done = stepped.store.compact(40);
  void reference.store.compact(40);
  reference.scheduler.runUntilIdle();
  const hashAt60 = reference.store.hashByRev(60).hash;
  let round = 60;
  while (stepped.scheduler.step()) {
    assert.equal(stepped.store.hashByRev(60).hash, hashAt60, 'the hash does not depend on compaction progress');
    history(stepped.store, round);
    history(reference.store, round);
    stepped.store.verify();
    round++;
  }
  assert.equal(await done, true);
  assert.ok(round > 70, 'writes interleaved with many steps');
  const dump = (store: KvStore): string[] => {
    const lines: string[] = [];
    store.index.forEach((keyIndex) => void lines.push(`${keyIndex.key} ${keyIndex.generations.map((generation) => generation.revisions.join(',')).join('|')}`));
    return lines;
  };
  assert.deepEqual(dump(stepped.store), dump(reference.store));
  assert.deepEqual(backendRevisions(stepped.backend), backendRevisions(reference.backend));
  assert.equal(stepped.store.hash().hash, reference.store.hash().hash);
});

test('compactions queue in order and each settles when its revisions are gone', async () => {
  const { store, scheduler } = openTestStore({ compactionBatchKeys: 3 });
  for (let number = 0; number < 20; number++) put(store, 'k', `${number}`);
  const first = store.compact(10);
  const second = store.compact(15);
  assert.equal(store.compactedRevision(), 15);
  scheduler.runUntilIdle();
  assert.deepEqual(await Promise.all([first, second]), [true, true]);
  assert.equal(store.compacting(), false);
  store.verify();
});

test('an interrupted compaction resumes when the store is reopened', async () => {
  const { store, backend, scheduler } = openTestStore({ compactionBatchKeys: 5 });
  for (let number = 0; number < 30; number++) put(store, `key${number % 4}`, `${number}`);
  const done = store.compact(25);
  scheduler.step(); // one batch only, then the process "crashes"
  const onDisk = backend.clone();
  store.close();
  assert.equal(await done, false, 'a compaction stopped by close settles with false');
  assert.equal(readCompactRevision(onDisk, 'finished'), undefined);

  const reopened = openTestStore({ backend: onDisk, compactionBatchKeys: 5 });
  assert.equal(reopened.store.compactedRevision(), 25);
  assert.throws(() => reopened.store.read().range(bytes('key0'), undefined, { rev: 24 }), (error) => error === Errors.Compacted);
  reopened.scheduler.runUntilIdle();
  assert.equal(readCompactRevision(onDisk, 'finished'), 25);

  // The result equals an uninterrupted compaction of the same history.
  const reference = openTestStore();
  for (let number = 0; number < 30; number++) put(reference.store, `key${number % 4}`, `${number}`);
  void reference.store.compact(25);
  reference.scheduler.runUntilIdle();
  assert.deepEqual(backendRevisions(onDisk), backendRevisions(reference.backend));
  assert.equal(reopened.store.hash().hash, reference.store.hash().hash);
  reopened.store.verify();
});

test('a scheduled compaction recorded without any deletion resumes on open (TestRestoreContinueUnfinishedCompaction)', () => {
  const { store, backend } = openTestStore();
  put(store, 'foo', 'bar');
  put(store, 'foo', 'bar1');
  put(store, 'foo', 'bar2');
  backend.write((tx) => tx.put('meta', Buffer.from('scheduledCompactRev'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 3, 0x5f, 0, 0, 0, 0, 0, 0, 0, 0])));
  store.close();
  const reopened = openTestStore({ backend: backend.clone() });
  reopened.scheduler.runUntilIdle();
  assert.equal(reopened.store.compactedRevision(), 3);
  assert.throws(() => reopened.store.read().range(bytes('foo'), undefined, { rev: 2 }), (error) => error === Errors.Compacted);
  assert.deepEqual(backendRevisions(reopened.backend), ['3.0', '4.0']);
});

test('compacting everything deleted keeps the revision at the compaction (TestCompactAllAndRestore)', () => {
  const { store, backend, scheduler } = openTestStore();
  put(store, 'foo', 'bar');
  put(store, 'foo', 'bar1');
  put(store, 'foo', 'bar2');
  remove(store, 'foo');
  void store.compact(5);
  scheduler.runUntilIdle();
  assert.deepEqual(backendRevisions(backend), []);
  const reopened = KvStore.open({ backend: backend.clone() });
  assert.equal(reopened.currentRevision(), 5);
  assert.equal(reopened.compactedRevision(), 5);
  assert.equal(reopened.write((txn) => txn.put(bytes('foo'), bytes('next'))), 6);
  reopened.close();
});

test('a compaction inside the caller\'s backend transaction starts only after afterCommit, and not after afterAbort', async () => {
  const { store, backend, scheduler } = openTestStore();
  put(store, 'a', '1');
  put(store, 'a', '2');
  let done: Promise<boolean> | undefined;
  assert.throws(() =>
    backend.write((tx) => {
      done = store.compact(2, tx);
      throw new Error('aborted');
    }),
  );
  store.afterAbort();
  assert.equal(await done, false);
  assert.equal(store.compactedRevision(), -1);
  assert.equal(readCompactRevision(backend, 'scheduled'), undefined);
  backend.write((tx) => {
    done = store.compact(2, tx);
  });
  assert.equal(store.compactedRevision(), -1);
  store.afterCommit();
  assert.equal(store.compactedRevision(), 2);
  scheduler.runUntilIdle();
  assert.equal(await done, true);
});
