// Range, put, delete and transaction semantics of the store, after etcd's kv_test.go and kvstore_test.go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '../common/errors.ts';
import { decodeKeyValue } from './key-value.ts';
import type { KvStore } from './kv-store.ts';
import { decodeRevision, isTombstone } from './revision.ts';
import { bytes, openTestStore, put, remove, show } from './testing/helpers.ts';

function put3(store: KvStore): void {
  put(store, 'foo', 'bar', 1n);
  put(store, 'foo1', 'bar1', 2n);
  put(store, 'foo2', 'bar2', 3n);
}

function rangeShown(store: KvStore, key: string, end: string | Uint8Array | undefined, options = {}): string[] {
  const endBytes = typeof end === 'string' ? bytes(end) : end;
  return store.read().range(bytes(key), endBytes, options).kvs.map(show);
}

const foo = 'foo=bar c=2 m=2 v=1 lease=1';
const foo1 = 'foo1=bar1 c=3 m=3 v=1 lease=2';
const foo2 = 'foo2=bar2 c=4 m=4 v=1 lease=3';

test('a new store is at revision 1, never compacted, with consistent index 0', () => {
  const { store } = openTestStore();
  assert.equal(store.currentRevision(), 1);
  assert.equal(store.compactedRevision(), -1);
  assert.equal(store.consistentIndex(), 0);
  assert.deepEqual(store.read().range(bytes('foo'), undefined), { kvs: [], count: 0, rev: 1 });
});

test('range selects keys by [key, end), single key, and from-key ends (TestKVRange)', () => {
  const { store } = openTestStore();
  put3(store);
  const cases: Array<[string, string | Uint8Array | undefined, string[]]> = [
    ['doo', 'foo', []],
    ['foo', 'foo', []],
    ['foo1', 'foo', []],
    ['doo', undefined, []],
    ['foo', 'foo3', [foo, foo1, foo2]],
    ['foo', 'foo1', [foo]],
    ['foo', undefined, [foo]],
    ['', new Uint8Array(0), [foo, foo1, foo2]],
    ['foo1', new Uint8Array([0]), [foo1, foo2]],
    ['\x00', new Uint8Array([0]), [foo, foo1, foo2]],
  ];
  for (const [key, end, want] of cases) {
    const result = store.read().range(bytes(key), typeof end === 'string' ? bytes(end) : end);
    assert.deepEqual(result.kvs.map(show), want, `${key}..${String(end)}`);
    assert.equal(result.count, want.length);
    assert.equal(result.rev, 4);
  }
});

test('keys are ordered as unsigned bytes, including 0xff and multi-byte UTF-8', () => {
  const { store } = openTestStore();
  const keys = [[0x61, 0xff], [0x61], [0xc3, 0xa9], [0x61, 0x00], [0x7f], [0xff], [0x80, 0x01]].map((list) => new Uint8Array(list));
  store.write((txn) => keys.forEach((key) => txn.put(key, bytes('v'))));
  const got = store.read().range(new Uint8Array([0]), new Uint8Array([0])).kvs.map((kv) => Buffer.from(kv.key).toString('hex'));
  assert.deepEqual(got, [...keys].sort(Buffer.compare).map((key) => Buffer.from(key).toString('hex')));
  const upToFf = store.read().range(new Uint8Array([0x61]), new Uint8Array([0xff])).kvs.map((kv) => Buffer.from(kv.key).toString('hex'));
  assert.deepEqual(upToFf, ['61', '6100', '61ff', '7f', '8001', 'c3a9']);
});

test('range at past revisions sees the store as it was (TestKVRangeRev)', () => {
  const { store } = openTestStore();
  put3(store);
  const cases: Array<[number, string[]]> = [[-1, [foo, foo1, foo2]], [0, [foo, foo1, foo2]], [2, [foo]], [3, [foo, foo1]], [4, [foo, foo1, foo2]]];
  for (const [rev, want] of cases) {
    const result = store.read().range(bytes('foo'), bytes('foo3'), { rev });
    assert.deepEqual(result.kvs.map(show), want, `rev ${rev}`);
    assert.equal(result.rev, 4, 'the header revision is the current one');
  }
});

test('range refuses compacted and future revisions; the compacted revision itself is readable (TestKVRangeBadRev)', () => {
  const { store, scheduler } = openTestStore();
  put3(store);
  void store.compact(3);
  scheduler.runUntilIdle();
  const cases: Array<[number, Error | undefined]> = [[-1, undefined], [0, undefined], [1, Errors.Compacted], [2, Errors.Compacted], [3, undefined], [4, undefined], [5, Errors.FutureRev], [100, Errors.FutureRev]];
  for (const [rev, error] of cases) {
    const run = (): unknown => store.read().range(bytes('foo'), bytes('foo3'), { rev });
    if (error === undefined) assert.doesNotThrow(run, `rev ${rev}`);
    else assert.throws(run, (thrown) => thrown === error, `rev ${rev}`);
  }
  assert.deepEqual(rangeShown(store, 'foo', 'foo3', { rev: 3 }), [foo, foo1]);
});

test('limit returns the first keys while count counts all; countOnly returns no kvs (TestKVRangeLimit)', () => {
  const { store } = openTestStore();
  put3(store);
  const cases: Array<[number, string[]]> = [[-1, [foo, foo1, foo2]], [0, [foo, foo1, foo2]], [1, [foo]], [2, [foo, foo1]], [3, [foo, foo1, foo2]], [100, [foo, foo1, foo2]]];
  for (const [limit, want] of cases) {
    const result = store.read().range(bytes('foo'), bytes('foo3'), { limit });
    assert.deepEqual(result.kvs.map(show), want, `limit ${limit}`);
    assert.equal(result.count, 3);
  }
  assert.deepEqual(store.read().range(bytes('foo'), bytes('foo3'), { countOnly: true }), { kvs: [], count: 3, rev: 4 });
  assert.deepEqual(store.read().range(bytes('foo'), bytes('foo3'), { countOnly: true, rev: 2 }), { kvs: [], count: 1, rev: 4 });
});

test('puts bump the version and keep the creation revision; a put after delete starts a new generation', () => {
  const { store } = openTestStore();
  for (let round = 0; round < 3; round++) assert.equal(put(store, 'foo', `bar${round}`), round + 2);
  assert.deepEqual(rangeShown(store, 'foo', undefined), ['foo=bar2 c=2 m=4 v=3']);
  assert.equal(remove(store, 'foo'), 1);
  assert.equal(store.currentRevision(), 5);
  assert.deepEqual(rangeShown(store, 'foo', undefined), []);
  put(store, 'foo', 'again');
  assert.deepEqual(rangeShown(store, 'foo', undefined), ['foo=again c=6 m=6 v=1']);
  assert.deepEqual(rangeShown(store, 'foo', undefined, { rev: 4 }), ['foo=bar2 c=2 m=4 v=3']);
  assert.deepEqual(rangeShown(store, 'foo', undefined, { rev: 5 }), []);
});

test('deleteRange deletes keys in the range in one revision; deleting nothing uses no revision (TestKVDeleteRange)', () => {
  const cases: Array<[string, string | Uint8Array | undefined, number]> = [
    ['foo', undefined, 1],
    ['foo', 'foo1', 1],
    ['foo', 'foo2', 2],
    ['foo', 'foo3', 3],
    ['foo3', 'foo8', 0],
    ['foo3', undefined, 0],
    ['foo1', new Uint8Array([0]), 2],
  ];
  for (const [key, end, deleted] of cases) {
    const { store } = openTestStore();
    put3(store);
    const result = store.write((txn) => txn.deleteRange(bytes(key), typeof end === 'string' ? bytes(end) : end));
    assert.deepEqual(result, { deleted, rev: deleted > 0 ? 5 : 4 }, `${key}..${String(end)}`);
    assert.equal(store.currentRevision(), deleted > 0 ? 5 : 4);
  }
});

test('deleting the same key twice: the second delete changes nothing (TestKVDeleteMultipleTimes)', () => {
  const { store } = openTestStore();
  put(store, 'foo', 'bar');
  assert.equal(remove(store, 'foo'), 1);
  assert.equal(remove(store, 'foo'), 0);
  assert.equal(store.currentRevision(), 3);
});

test('the backend holds 17-byte revision keys; a deletion is an 18-byte "t"-marked key holding only the key', () => {
  const { store, backend } = openTestStore();
  put(store, 'foo', 'bar', 7n);
  remove(store, 'foo');
  const entries = backend.entries('key');
  assert.deepEqual(entries.map((entry) => [Buffer.from(entry.key).toString('hex'), isTombstone(entry.key)]), [
    ['0000000000000002' + '5f' + '0000000000000000', false],
    ['0000000000000003' + '5f' + '0000000000000000' + '74', true],
  ]);
  assert.equal(show(decodeKeyValue(entries[0]!.value)), 'foo=bar c=2 m=2 v=1 lease=7');
  assert.equal(Buffer.from(entries[1]!.value).toString('hex'), '0a03666f6f');
});

test('a transaction gives all its changes one main revision with increasing sub revisions', () => {
  const { store, backend } = openTestStore();
  put(store, 'x', '0');
  const revisions = store.write((txn) => {
    assert.equal(txn.rev(), 2);
    return [txn.put(bytes('a'), bytes('1')), txn.put(bytes('b'), bytes('2')), txn.deleteRange(bytes('x'), undefined).rev, txn.put(bytes('a'), bytes('3'))];
  });
  assert.deepEqual(revisions, [3, 3, 3, 3]);
  assert.equal(store.currentRevision(), 3);
  const subs = backend.entries('key').map((entry) => decodeRevision(entry.key)).filter((revision) => revision.main === 3).map((revision) => revision.sub);
  assert.deepEqual(subs, [0, 1, 2, 3]);
  assert.deepEqual(rangeShown(store, 'a', 'c'), ['a=3 c=3 m=3 v=2', 'b=2 c=3 m=3 v=1']);
});

test('reads inside a write transaction see its own changes at revision + 1 (TestKVTxnOperationInSequence)', () => {
  const { store } = openTestStore();
  store.write((txn) => {
    assert.deepEqual(txn.range(bytes('foo'), undefined), { kvs: [], count: 0, rev: 1 });
    txn.put(bytes('foo'), bytes('bar'));
    const result = txn.range(bytes('foo'), undefined);
    assert.deepEqual(result.kvs.map(show), ['foo=bar c=2 m=2 v=1']);
    assert.equal(result.rev, 2);
    assert.throws(() => txn.range(bytes('foo'), undefined, { rev: 3 }), (error) => error === Errors.FutureRev);
    assert.deepEqual(txn.deleteRange(bytes('foo'), undefined), { deleted: 1, rev: 2 });
    assert.deepEqual(txn.range(bytes('foo'), undefined).kvs, []);
    assert.deepEqual(txn.deleteRange(bytes('nothing'), undefined), { deleted: 0, rev: 2 });
  });
  assert.equal(store.currentRevision(), 2);
});

test('a transaction without writes does not bump the revision, but still stores the consistent index', () => {
  const { store, backend } = openTestStore();
  put(store, 'foo', 'bar');
  const writesBefore = backend.writes;
  const count = store.write((txn) => txn.range(bytes('foo'), undefined).count, { consistentIndex: 9 });
  assert.equal(count, 1);
  assert.equal(store.currentRevision(), 2);
  assert.equal(store.consistentIndex(), 9);
  assert.equal(backend.writes, writesBefore + 1);
});

test('changes and the consistent index commit in ONE backend write', () => {
  const { store, backend } = openTestStore();
  const writesBefore = backend.writes;
  store.write(
    (txn) => {
      txn.put(bytes('a'), bytes('1'));
      txn.put(bytes('b'), bytes('2'));
      txn.deleteRange(bytes('a'), undefined);
    },
    { consistentIndex: 42 },
  );
  assert.equal(backend.writes, writesBefore + 1);
  assert.equal(store.consistentIndex(), 42);
  assert.throws(() => store.write(() => {}, { consistentIndex: 41 }), /consistent index going backwards/);
});

test('a transaction that throws half-way leaves index, backend, revision and lessor untouched', () => {
  const { store, backend, leases } = openTestStore();
  put(store, 'foo', 'bar', 5n);
  const keysBefore = backend.entries('key').length;
  assert.throws(
    () =>
      store.write((txn) => {
        txn.put(bytes('foo'), bytes('changed'), 6n);
        txn.put(bytes('new'), bytes('x'));
        txn.deleteRange(bytes('foo'), undefined);
        throw new Error('apply failed');
      }),
    /apply failed/,
  );
  assert.equal(store.currentRevision(), 2);
  assert.equal(backend.entries('key').length, keysBefore);
  assert.deepEqual(rangeShown(store, '\x00', new Uint8Array([0])), ['foo=bar c=2 m=2 v=1 lease=5']);
  assert.deepEqual(leases.calls, ['attach 5 foo']);
  store.verify();
  assert.equal(put(store, 'foo', 'next'), 3, 'the failed transaction did not use up a revision');
});

test('a backend commit failure after the transaction rolls the in-memory state back (afterAbort)', () => {
  const { store, backend } = openTestStore();
  put(store, 'foo', 'bar');
  backend.failNextWrite = new Error('disk full');
  assert.throws(() => put(store, 'foo', 'lost'), /disk full/);
  assert.equal(store.currentRevision(), 2);
  assert.deepEqual(rangeShown(store, 'foo', undefined), ['foo=bar c=2 m=2 v=1']);
  store.verify();
});

test('writeInTx inside the caller\'s backend transaction announces changes only after afterCommit', () => {
  const { store, backend, leases } = openTestStore();
  const announced: number[] = [];
  store.setChangeListener((revision) => announced.push(revision));
  backend.write((tx) => {
    store.writeInTx(tx, (txn) => txn.put(bytes('a'), bytes('1'), 3n), { consistentIndex: 1 });
    store.writeInTx(tx, (txn) => txn.put(bytes('b'), bytes('2')), { consistentIndex: 2 });
    tx.put('lease', bytes('other state'), bytes('in the same transaction'));
  });
  assert.deepEqual(announced, []);
  assert.deepEqual(leases.calls, []);
  store.afterCommit();
  assert.deepEqual(announced, [2, 3]);
  assert.deepEqual(leases.calls, ['attach 3 a']);
  assert.equal(store.consistentIndex(), 2);

  assert.throws(() =>
    backend.write((tx) => {
      store.writeInTx(tx, (txn) => txn.put(bytes('c'), bytes('3')));
      throw new Error('another state machine failed');
    }),
  );
  store.afterAbort();
  assert.equal(store.currentRevision(), 3);
  assert.deepEqual(rangeShown(store, 'c', undefined), []);
  assert.deepEqual(announced, [2, 3]);
  store.verify();
});

test('the lessor hears attach and detach for puts, overwrites and deletes, after commit', () => {
  const { store, leases } = openTestStore();
  put(store, 'a', '1', 10n);
  put(store, 'a', '2', 11n);
  put(store, 'a', '3');
  put(store, 'b', '1', 12n);
  store.write((txn) => {
    txn.put(bytes('c'), bytes('1'), 13n);
    txn.put(bytes('c'), bytes('2'), 14n);
  });
  remove(store, 'a', 'z');
  assert.deepEqual(leases.calls, ['attach 10 a', 'detach 10 a', 'attach 11 a', 'detach 11 a', 'attach 12 b', 'attach 13 c', 'detach 13 c', 'attach 14 c', 'detach 12 b', 'detach 14 c']);
  assert.equal(leases.keys.size, 0);
});

test('a read view keeps reading at its revision after later writes', () => {
  const { store } = openTestStore();
  put(store, 'foo', 'bar');
  const view = store.read();
  put(store, 'foo', 'newer');
  assert.equal(view.rev(), 2);
  assert.deepEqual(view.range(bytes('foo'), undefined).kvs.map(show), ['foo=bar c=2 m=2 v=1']);
  assert.throws(() => view.range(bytes('foo'), undefined, { rev: 3 }), (error) => error === Errors.FutureRev);
  assert.equal(view.firstRev(), -1);
});
