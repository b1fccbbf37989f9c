// Reopening a store rebuilds the same state from the backend: same reads at every revision, same hash, same
// index, leases reported for live keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KvStore } from './kv-store.ts';
import { bytes, openTestStore, put, remove, show, type TestStore, seededRandom } from './testing/helpers.ts';

/** Everything observable: reads at every revision from the compacted one, the hash, the revisions. */
function observe(store: KvStore): string {
  const lines = [`current ${store.currentRevision()} compacted ${store.compactedRevision()} hash ${store.hash().hash}`];
  for (let rev = Math.max(store.compactedRevision(), 1); rev <= store.currentRevision(); rev++) {
    const kvs = store.read().range(new Uint8Array([0]), new Uint8Array([0]), { rev }).kvs.map(show);
    lines.push(`${rev}: ${kvs.join(', ')}`);
  }
  store.index.forEach((keyIndex) => {
    lines.push(`${keyIndex.key}: ${keyIndex.generations.map((generation) => `v${generation.version} ${generation.revisions.join(',')}`).join(' | ')}`);
  });
  return lines.join('\n');
}

function reopen(test: TestStore, chunkKeys = 3): TestStore {
  test.store.close();
  return openTestStore({ backend: test.backend.clone(), restoreChunkKeys: chunkKeys });
}

test('histories from etcd\'s TestKVRestore read the same after reopening', () => {
  const histories: Array<(store: KvStore, scheduler: TestStore['scheduler']) => void> = [
    (store) => {
      put(store, 'foo', 'bar0', 1n);
      put(store, 'foo', 'bar1', 2n);
      put(store, 'foo', 'bar2', 3n);
      put(store, 'foo2', 'bar0', 1n);
    },
    (store) => {
      put(store, 'foo', 'bar0', 1n);
      remove(store, 'foo');
      put(store, 'foo', 'bar1', 2n);
    },
    (store, scheduler) => {
      put(store, 'foo', 'bar0', 1n);
      put(store, 'foo', 'bar1', 2n);
      void store.compact(1);
      scheduler.runUntilIdle();
    },
  ];
  for (const history of histories) {
    const original = openTestStore();
    history(original.store, original.scheduler);
    const before = observe(original.store);
    const reopened = reopen(original);
    assert.equal(observe(reopened.store), before);
    reopened.store.verify();
  }
});

test('a random history with transactions, deletes and compactions restores identically, chunk by chunk', () => {
  const random = seededRandom(7);
  const original = openTestStore({ compactionBatchKeys: 7 });
  const { store, scheduler } = original;
  for (let step = 0; step < 400; step++) {
    const key = `k${Math.floor(random() * 12)}`;
    const choice = random();
    if (choice < 0.55) put(store, key, `v${step}`, random() < 0.2 ? BigInt(1 + Math.floor(random() * 3)) : 0n);
    else if (choice < 0.75) remove(store, key);
    else if (choice < 0.85) remove(store, 'k', 'k5');
    else if (choice < 0.97) {
      store.write((txn) => {
        txn.put(bytes(key), bytes(`t${step}`));
        txn.deleteRange(bytes(`k${Math.floor(random() * 12)}`), undefined);
        txn.put(bytes(`k${Math.floor(random() * 12)}`), bytes(`u${step}`), 4n);
      });
    } else if (store.currentRevision() - 20 > store.compactedRevision()) {
      void store.compact(store.currentRevision() - 20);
      scheduler.runUntilIdle();
    }
  }
  store.verify();
  const before = observe(store);
  const reopened = reopen(original, 5);
  assert.equal(observe(reopened.store), before);
  reopened.store.verify();
  assert.deepEqual([...reopened.leases.keys].sort(), [...original.leases.keys].sort(), 'the same keys carry the same leases');
});

test('restore reports the lease of every live key to the lessor, and nothing for deleted or lease-less keys', () => {
  const original = openTestStore();
  put(original.store, 'a', '1', 5n);
  put(original.store, 'b', '1', 6n);
  put(original.store, 'b', '2');
  put(original.store, 'c', '1', 7n);
  remove(original.store, 'c');
  put(original.store, 'd', '1', 8n);
  put(original.store, 'd', '2', 9n);
  const reopened = reopen(original);
  assert.deepEqual(reopened.leases.calls.sort(), ['attach 5 a', 'attach 9 d']);
});

test('the consistent index survives a reopen', () => {
  const original = openTestStore();
  original.store.write((txn) => txn.put(bytes('a'), bytes('1')), { consistentIndex: 17 });
  const reopened = reopen(original);
  assert.equal(reopened.store.consistentIndex(), 17);
  assert.equal(reopened.store.currentRevision(), 2);
});

test('a key whose old history was compacted restores its creation revision and version from the stored value', () => {
  const original = openTestStore();
  put(original.store, 'foo', '1');
  put(original.store, 'foo', '2');
  put(original.store, 'foo', '3');
  void original.store.compact(3);
  original.scheduler.runUntilIdle();
  const reopened = reopen(original);
  assert.deepEqual(reopened.store.read().range(bytes('foo'), undefined).kvs.map(show), ['foo=3 c=2 m=4 v=3']);
  put(reopened.store, 'foo', '4');
  assert.deepEqual(reopened.store.read().range(bytes('foo'), undefined).kvs.map(show), ['foo=4 c=2 m=5 v=4']);
});
