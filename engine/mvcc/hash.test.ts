import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '../common/errors.ts';
import { crc32c } from '../common/crc32c.ts';
import type { KvStore } from './kv-store.ts';
import { goldenHistory } from './testing/golden-history.ts';
import { bytes, openTestStore, put, remove } from './testing/helpers.ts';

function latin1(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

test('HashKV equals real etcd 3.4.23 hashes for the same history, before, during and after compactions', async () => {
  for (const batchKeys of [1000, 2]) {
    const { store, scheduler } = openTestStore({ compactionBatchKeys: batchKeys });
    let checked = 0;
    for (const step of goldenHistory) {
      switch (step.op) {
        case 'put':
          store.write((txn) => txn.put(latin1(step.key), latin1(step.value), step.lease ?? 0n));
          break;
        case 'delete':
          store.write((txn) => txn.deleteRange(latin1(step.key), step.end === undefined ? undefined : latin1(step.end)));
          break;
        case 'txn':
          store.write((txn) => {
            for (const write of step.writes) {
              if ('put' in write) txn.put(latin1(write.put[0]), latin1(write.put[1]));
              else txn.deleteRange(latin1(write.delete), write.end === undefined ? undefined : latin1(write.end));
            }
          });
          break;
        case 'grant':
          break;
        case 'revoke':
          store.write((txn) => {
            for (const key of [...step.keys].sort()) txn.deleteRange(latin1(key), undefined);
          });
          break;
        case 'compact': {
          const done = store.compact(step.revision);
          // With small batches, hash once while the physical compaction is still half-way.
          if (batchKeys === 2) scheduler.step();
          scheduler.runUntilIdle();
          assert.equal(await done, true);
          break;
        }
        case 'hash': {
          const expected = step.expected!;
          if ('error' in expected) {
            assert.throws(() => store.hashByRev(step.revision), { message: expected.error });
          } else {
            const got = store.hashByRev(step.revision);
            assert.deepEqual(
              { hash: got.hash, compactRevision: got.compactRev, headerRevision: got.currentRev },
              expected,
              `hash at ${step.revision} (step ${checked})`,
            );
          }
          checked++;
          break;
        }
      }
    }
    assert.equal(checked, 15);
    store.verify();
  }
});

test('the hash of an empty store is the CRC-32C of the bucket name "key"', () => {
  const { store } = openTestStore();
  assert.equal(store.hash().hash, crc32c(Buffer.from('key')));
  assert.deepEqual(store.hash(), { hash: 1084519789, currentRev: 1, compactRev: -1, hashRev: 1 });
});

function history(store: KvStore, value: string): void {
  put(store, 'foo0', 'bar0');
  put(store, 'foo1', value);
  remove(store, 'foo0');
}

test('equal histories give equal hashes; a different value or a different history with the same result do not', () => {
  const hashes = ['bar1', 'bar1', 'other'].map((value) => {
    const { store } = openTestStore();
    history(store, value);
    return store.hash().hash;
  });
  assert.equal(hashes[0], hashes[1]);
  assert.notEqual(hashes[0], hashes[2]);
  // Same final key space (foo1=bar1 at revision 4) reached without the foo0 put and delete.
  const { store } = openTestStore();
  put(store, 'x', 'y');
  store.write((txn) => txn.put(bytes('foo1'), bytes('bar1')));
  remove(store, 'x');
  assert.notEqual(store.hash().hash, hashes[0]);
});

test('hashByRev(0) hashes the current revision, and a historical revision ignores later writes (TestHashKVZeroRevision)', () => {
  const { store, scheduler } = openTestStore();
  for (let number = 2; number <= 200; number++) put(store, 'foo', `bar${number}`);
  void store.compact(100);
  scheduler.runUntilIdle();
  assert.equal(store.hashByRev(0).hash, store.hashByRev(200).hash);
  const at150 = store.hashByRev(150).hash;
  put(store, 'foo', 'later');
  assert.equal(store.hashByRev(150).hash, at150);
  assert.notEqual(store.hashByRev(0).hash, at150);
});

test('hashByRev refuses compacted and future revisions with etcd errors', () => {
  const { store, scheduler } = openTestStore();
  put(store, 'a', '1');
  put(store, 'a', '2');
  void store.compact(2);
  scheduler.runUntilIdle();
  assert.throws(() => store.hashByRev(2), Errors.Compacted);
  assert.throws(() => store.hashByRev(1), Errors.Compacted);
  assert.throws(() => store.hashByRev(4), Errors.FutureRev);
  assert.equal(store.hashByRev(3).hashRev, 3);
});

test('the hash does not depend on how far the physical compaction has got (TestHashKVWhenCompacting)', () => {
  const { store, scheduler } = openTestStore({ compactionBatchKeys: 10 });
  for (let number = 2; number <= 300; number++) put(store, `key${number % 7}`, `value${number}`);
  void store.compact(250);
  const seen = new Set<number>();
  do seen.add(store.hashByRev(300).hash);
  while (scheduler.step());
  assert.equal(seen.size, 1);
  assert.equal(store.compacting(), false);
});
