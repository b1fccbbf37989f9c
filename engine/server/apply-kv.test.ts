// Proves etcd's KV request semantics (etcdserver/apply.go) on the real MVCC store over the in-memory
// backend: range limits/sorting/filters, put and delete flags, and txn compares, branch choice and checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '../common/errors.ts';
import { KvStore } from '../mvcc/kv-store.ts';
import { MemoryBackend } from '../mvcc/testing/memory-backend.ts';
import { ManualScheduler } from '../mvcc/testing/manual-scheduler.ts';
import { messageType, protoConversionOptions } from '../proto/load.ts';
import { applyDeleteRange, applyPut, applyRange, applyTxn, type KvApplyContext } from './apply-kv.ts';
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { TxnResponse } from '../proto/generated/etcdserverpb/TxnResponse.ts';
import type { KeyValue as ProtoKeyValue } from '../proto/generated/mvccpb/KeyValue.ts';

/** A request in the exact shape grpc-js hands to handlers (defaults filled, int64 as strings, enums as numbers). */
function decode<T>(typeName: string, object: Record<string, unknown>): T {
  const type = messageType(`etcdserverpb.${typeName}`);
  return type.toObject(type.fromObject(object), protoConversionOptions) as T;
}
const b = (text: string) => Buffer.from(text);
const rangeRequest = (object: Record<string, unknown>) => decode<RangeRequest__Output>('RangeRequest', object);
const putRequest = (object: Record<string, unknown>) => decode<PutRequest__Output>('PutRequest', object);
const deleteRequest = (object: Record<string, unknown>) => decode<DeleteRangeRequest__Output>('DeleteRangeRequest', object);
const txnRequest = (object: Record<string, unknown>) => decode<TxnRequest__Output>('TxnRequest', object);

const text = (bytes: Uint8Array | string | undefined) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes ?? []).toString());
const keys = (kvs: ProtoKeyValue[] | undefined) => (kvs ?? []).map((kv) => text(kv.key));

/** A fresh store, and helpers that run requests the way the applier does. */
function setup(leases: bigint[] = []) {
  const backend = new MemoryBackend();
  const kv = KvStore.open({ backend, scheduler: new ManualScheduler() });
  const context: KvApplyContext = { leaseExists: (id) => leases.includes(id) };
  return {
    kv,
    backend,
    range: (object: Record<string, unknown>) => applyRange(kv.read(), rangeRequest(object)),
    put: (object: Record<string, unknown>) => kv.write((view) => applyPut(view, putRequest(object))),
    remove: (object: Record<string, unknown>) => kv.write((view) => applyDeleteRange(view, deleteRequest(object))),
    txn: (object: Record<string, unknown>): TxnResponse => applyTxn(kv.read(), (write) => kv.write(write), txnRequest(object), context),
    set: (key: string, value: string, lease = 0n) => kv.write((view) => view.put(b(key), b(value), lease)),
  };
}

test('range: limit returns the first keys, sets more, and count is the total', () => {
  const s = setup();
  for (const key of ['a', 'b', 'c', 'd']) s.set(key, key);
  const limited = s.range({ key: b('a'), range_end: b('z'), limit: 2 });
  assert.deepEqual(keys(limited.kvs), ['a', 'b']);
  assert.equal(limited.more, true);
  assert.equal(Number(limited.count), 4);
  assert.equal(Number(limited.header!.revision), 5);
  const exact = s.range({ key: b('a'), range_end: b('z'), limit: 4 });
  assert.deepEqual(keys(exact.kvs), ['a', 'b', 'c', 'd']);
  assert.equal(exact.more, false);
  const all = s.range({ key: b('a'), range_end: b('\0') });
  assert.equal(all.kvs!.length, 4);
  assert.equal(all.more, false);
});

test('range: sort orders and targets; a non-key target without an order sorts ascending', () => {
  const s = setup();
  // Creation order c, a, b; versions: a=3, b=1, c=2; values z, x, y.
  s.set('c', 'y');
  s.set('a', 'z');
  s.set('b', 'x');
  s.set('a', 'z');
  s.set('c', 'y');
  s.set('a', 'z');
  const sorted = (order: string, target: string) => keys(s.range({ key: b('a'), range_end: b('z'), sort_order: order, sort_target: target }).kvs);
  assert.deepEqual(sorted('NONE', 'KEY'), ['a', 'b', 'c']);
  assert.deepEqual(sorted('DESCEND', 'KEY'), ['c', 'b', 'a']);
  assert.deepEqual(sorted('ASCEND', 'VERSION'), ['b', 'c', 'a']);
  assert.deepEqual(sorted('DESCEND', 'VERSION'), ['a', 'c', 'b']);
  assert.deepEqual(sorted('ASCEND', 'CREATE'), ['c', 'a', 'b']);
  assert.deepEqual(sorted('DESCEND', 'MOD'), ['a', 'c', 'b']);
  assert.deepEqual(sorted('DESCEND', 'VALUE'), ['a', 'c', 'b']);
  // etcd: target other than KEY with order NONE sorts ASCEND.
  assert.deepEqual(sorted('NONE', 'CREATE'), ['c', 'a', 'b']);
  assert.deepEqual(sorted('NONE', 'VALUE'), ['b', 'c', 'a']);
  assert.deepEqual(sorted('NONE', 'MOD'), ['b', 'c', 'a']);
});

test('range: sorting reads everything before applying the limit', () => {
  const s = setup();
  for (const key of ['a', 'b', 'c', 'd']) s.set(key, key);
  const result = s.range({ key: b('a'), range_end: b('z'), sort_order: 'DESCEND', limit: 2 });
  assert.deepEqual(keys(result.kvs), ['d', 'c']);
  assert.equal(result.more, true);
  assert.equal(Number(result.count), 4);
});

test('range: min/max mod and create revision filters apply to all keys, not to a limit-truncated read', () => {
  const s = setup();
  for (const key of ['a', 'b', 'c', 'd']) s.set(key, key); // a@2 b@3 c@4 d@5
  s.set('a', 'a2'); // a mod 6
  // Without disabling the pre-read limit, a limit of 1 would read only a and b and miss d.
  const minMod = s.range({ key: b('a'), range_end: b('z'), min_mod_revision: 5, limit: 1 });
  assert.deepEqual(keys(minMod.kvs), ['a']);
  assert.equal(minMod.more, true, 'a and d both pass the filter');
  const maxMod = s.range({ key: b('a'), range_end: b('z'), max_mod_revision: 4 });
  assert.deepEqual(keys(maxMod.kvs), ['b', 'c']);
  const minCreate = s.range({ key: b('a'), range_end: b('z'), min_create_revision: 4, limit: 1 });
  assert.deepEqual(keys(minCreate.kvs), ['c']);
  assert.equal(minCreate.more, true);
  const maxCreate = s.range({ key: b('a'), range_end: b('z'), max_create_revision: 3 });
  assert.deepEqual(keys(maxCreate.kvs), ['a', 'b']);
  // count stays the count of the range, as etcd reports it (filters do not change it).
  assert.equal(Number(maxCreate.count), 4);
});

test('range: keys_only drops values; count_only returns no kvs but the count', () => {
  const s = setup();
  s.set('a', 'value-a');
  s.set('b', 'value-b');
  const keysOnly = s.range({ key: b('a'), range_end: b('z'), keys_only: true });
  assert.deepEqual(keys(keysOnly.kvs), ['a', 'b']);
  assert.ok(keysOnly.kvs!.every((kv) => text(kv.value) === ''));
  assert.equal(Number(keysOnly.kvs![0]!.version), 1);
  const countOnly = s.range({ key: b('a'), range_end: b('z'), count_only: true });
  assert.equal(countOnly.kvs!.length, 0);
  assert.equal(Number(countOnly.count), 2);
});

test('range: a historical revision reads the old value; compacted and future revisions fail', async () => {
  const s = setup();
  s.set('a', 'one');
  s.set('a', 'two');
  assert.equal(text(s.range({ key: b('a'), revision: 2 }).kvs![0]!.value), 'one');
  assert.throws(() => s.range({ key: b('a'), revision: 9 }), Errors.FutureRev);
  void s.kv.compact(3);
  assert.throws(() => s.range({ key: b('a'), revision: 2 }), Errors.Compacted);
});

test('put: ignore_value and ignore_lease on a missing key fail with "key not found" and write nothing', () => {
  const s = setup();
  assert.throws(() => s.put({ key: b('missing'), ignore_value: true }), (error: Error) => error === Errors.KeyNotFound && error.message === 'etcdserver: key not found');
  assert.throws(() => s.put({ key: b('missing'), value: b('v'), ignore_lease: true }), Errors.KeyNotFound);
  assert.equal(s.kv.currentRevision(), 1);
});

test('put: ignore_value keeps the value, ignore_lease keeps the lease, prev_kv returns the old pair', () => {
  const s = setup();
  s.set('k', 'old', 5n);
  const keepValue = s.put({ key: b('k'), ignore_value: true, ignore_lease: true, prev_kv: true });
  assert.equal(text(keepValue.prev_kv!.value), 'old');
  assert.equal(Number(keepValue.header!.revision), 3);
  let current = s.range({ key: b('k') }).kvs![0]!;
  assert.equal(text(current.value), 'old');
  assert.equal(String(current.lease), '5');
  assert.equal(Number(current.version), 2);
  s.put({ key: b('k'), value: b('new'), ignore_lease: true });
  current = s.range({ key: b('k') }).kvs![0]!;
  assert.equal(text(current.value), 'new');
  assert.equal(String(current.lease), '5');
  // Without prev_kv there is none; with prev_kv on a new key there is none either.
  assert.equal(s.put({ key: b('k'), value: b('x') }).prev_kv, undefined);
  assert.equal(s.put({ key: b('fresh'), value: b('x'), prev_kv: true }).prev_kv, undefined);
});

test('delete: prev_kv returns the deleted pairs; deleted counts them; a miss does not bump the revision', () => {
  const s = setup();
  s.set('a', '1');
  s.set('b', '2');
  s.set('c', '3');
  const result = s.remove({ key: b('a'), range_end: b('c'), prev_kv: true });
  assert.equal(Number(result.deleted), 2);
  assert.deepEqual(keys(result.prev_kvs), ['a', 'b']);
  assert.deepEqual(result.prev_kvs!.map((kv) => text(kv.value)), ['1', '2']);
  assert.equal(Number(result.header!.revision), 5);
  const miss = s.remove({ key: b('nothing') });
  assert.equal(Number(miss.deleted), 0);
  assert.equal(s.kv.currentRevision(), 5);
  assert.equal(s.remove({ key: b('c') }).prev_kvs, undefined);
});

const compare = (key: string, target: string, result: string, field: Record<string, unknown>) => ({ key: b(key), target, result, ...field });
const putOp = (key: string, value: string, extra: Record<string, unknown> = {}) => ({ request_put: { key: b(key), value: b(value), ...extra } });
const getOp = (key: string, extra: Record<string, unknown> = {}) => ({ request_range: { key: b(key), ...extra } });

test('txn: compares on value, version, create, mod and lease choose the branch', () => {
  const s = setup([9n]);
  s.set('k', 'v1', 9n); // rev 2
  s.set('k', 'v2', 9n); // rev 3, version 2
  const succeeded = (c: Record<string, unknown>) => s.txn({ compare: [c] }).succeeded;
  assert.equal(succeeded(compare('k', 'VALUE', 'EQUAL', { value: b('v2') })), true);
  assert.equal(succeeded(compare('k', 'VALUE', 'EQUAL', { value: b('v1') })), false);
  assert.equal(succeeded(compare('k', 'VALUE', 'GREATER', { value: b('v1') })), true);
  assert.equal(succeeded(compare('k', 'VALUE', 'LESS', { value: b('v3') })), true);
  assert.equal(succeeded(compare('k', 'VALUE', 'NOT_EQUAL', { value: b('v2') })), false);
  assert.equal(succeeded(compare('k', 'VERSION', 'EQUAL', { version: 2 })), true);
  assert.equal(succeeded(compare('k', 'VERSION', 'GREATER', { version: 2 })), false);
  assert.equal(succeeded(compare('k', 'CREATE', 'EQUAL', { create_revision: 2 })), true);
  assert.equal(succeeded(compare('k', 'MOD', 'EQUAL', { mod_revision: 3 })), true);
  assert.equal(succeeded(compare('k', 'MOD', 'LESS', { mod_revision: 3 })), false);
  assert.equal(succeeded(compare('k', 'LEASE', 'EQUAL', { lease: 9 })), true);
  assert.equal(succeeded(compare('k', 'LEASE', 'NOT_EQUAL', { lease: 9 })), false);
  // All compares must hold.
  assert.equal(s.txn({ compare: [compare('k', 'VERSION', 'EQUAL', { version: 2 }), compare('k', 'MOD', 'EQUAL', { mod_revision: 2 })] }).succeeded, false);
});

test('txn: on a missing key a VALUE compare is false, the others compare against zero', () => {
  const s = setup();
  const succeeded = (c: Record<string, unknown>) => s.txn({ compare: [c] }).succeeded;
  assert.equal(succeeded(compare('nope', 'VALUE', 'EQUAL', { value: b('') })), false);
  assert.equal(succeeded(compare('nope', 'VALUE', 'NOT_EQUAL', { value: b('x') })), false);
  assert.equal(succeeded(compare('nope', 'VERSION', 'EQUAL', { version: 0 })), true);
  assert.equal(succeeded(compare('nope', 'CREATE', 'EQUAL', { create_revision: 0 })), true);
  assert.equal(succeeded(compare('nope', 'MOD', 'LESS', { mod_revision: 1 })), true);
  assert.equal(succeeded(compare('nope', 'LEASE', 'EQUAL', { lease: 0 })), true);
});

test('txn: a range compare must hold for every key in the range', () => {
  const s = setup();
  s.set('a', 'x');
  s.set('b', 'x');
  s.set('b', 'x');
  assert.equal(s.txn({ compare: [compare('a', 'VERSION', 'EQUAL', { version: 1, range_end: b('c') })] }).succeeded, false);
  assert.equal(s.txn({ compare: [compare('a', 'VERSION', 'GREATER', { version: 0, range_end: b('c') })] }).succeeded, true);
  assert.equal(s.txn({ compare: [compare('a', 'VALUE', 'EQUAL', { value: b('x'), range_end: b('\0') })] }).succeeded, true);
});

test('txn: writes share one revision; a txn without writes does not bump the revision', () => {
  const s = setup();
  s.set('a', '1'); // rev 2
  const write = s.txn({ success: [putOp('x', '1'), putOp('y', '2'), getOp('x')] });
  assert.equal(write.succeeded, true);
  assert.equal(Number(write.header!.revision), 3);
  assert.equal(s.kv.currentRevision(), 3);
  // The read inside the txn sees the txn's own write.
  assert.equal(text(write.responses![2]!.response_range!.kvs![0]!.value), '1');
  const readOnly = s.txn({ success: [getOp('a')] });
  assert.equal(Number(readOnly.header!.revision), 3);
  // A write txn whose delete matches nothing changes nothing and does not bump the revision either.
  const noChange = s.txn({ success: [{ request_delete_range: { key: b('missing') } }] });
  assert.equal(Number(noChange.header!.revision), 3);
  assert.equal(s.kv.currentRevision(), 3);
});

test('txn: nested txns choose their branches up front, against the state before the txn', () => {
  const s = setup();
  s.set('flag', 'old');
  // The outer then-branch overwrites flag first; the nested compare still sees "old".
  const result = s.txn({
    success: [
      putOp('flag', 'new'),
      { request_txn: { compare: [compare('flag', 'VALUE', 'EQUAL', { value: b('old') })], success: [putOp('seen', 'old')], failure: [putOp('seen', 'new')] } },
    ],
  });
  assert.equal(result.succeeded, true);
  const nested = result.responses![1]!.response_txn!;
  assert.equal(nested.succeeded, true);
  assert.equal(text(s.range({ key: b('seen') }).kvs![0]!.value), 'old');
  assert.equal(text(s.range({ key: b('flag') }).kvs![0]!.value), 'new');
  // Both writes happened at one revision.
  assert.equal(s.kv.currentRevision(), 3);
});

test('txn: the failure branch runs when a compare fails, including its nested txn', () => {
  const s = setup();
  const result = s.txn({
    compare: [compare('k', 'VALUE', 'EQUAL', { value: b('x') })],
    success: [putOp('then', '1')],
    failure: [putOp('else', '1'), { request_txn: { compare: [compare('k', 'VERSION', 'EQUAL', { version: 0 })], success: [getOp('else')] } }],
  });
  assert.equal(result.succeeded, false);
  assert.equal(result.responses!.length, 2);
  assert.equal(result.responses![1]!.response_txn!.succeeded, true);
  assert.equal(s.range({ key: b('then') }).kvs!.length, 0);
  assert.equal(s.range({ key: b('else') }).kvs!.length, 1);
});

test('txn: a missing lease in the chosen branch fails before any write', () => {
  const s = setup([1n]);
  const before = s.backend.writes;
  assert.throws(() => s.txn({ success: [putOp('a', '1'), putOp('b', '2', { lease: 77 })] }), Errors.LeaseNotFound);
  assert.equal(s.kv.currentRevision(), 1);
  assert.equal(s.range({ key: b('a') }).kvs!.length, 0);
  assert.equal(s.backend.writes, before);
  // The same op in the branch not taken is not checked.
  const skipped = s.txn({ compare: [compare('z', 'VERSION', 'EQUAL', { version: 5 })], success: [putOp('b', '2', { lease: 77 })], failure: [putOp('a', '1', { lease: 1 })] });
  assert.equal(skipped.succeeded, false);
  assert.equal(s.kv.currentRevision(), 2);
});

test('txn: ignore_value on a missing key inside a nested txn fails before any write', () => {
  const s = setup();
  assert.throws(() => s.txn({ success: [putOp('a', '1'), { request_txn: { success: [{ request_put: { key: b('missing'), ignore_value: true } }] } }] }), Errors.KeyNotFound);
  assert.equal(s.kv.currentRevision(), 1);
});

test('txn: a range at a compacted or future revision fails before any write', () => {
  const s = setup();
  s.set('a', '1');
  s.set('a', '2');
  s.set('a', '3'); // rev 4
  void s.kv.compact(3);
  assert.throws(() => s.txn({ success: [putOp('w', '1'), getOp('a', { revision: 2 })] }), Errors.Compacted);
  assert.throws(() => s.txn({ success: [putOp('w', '1'), getOp('a', { revision: 10 })] }), Errors.FutureRev);
  assert.equal(s.kv.currentRevision(), 4);
  assert.equal(s.range({ key: b('w') }).kvs!.length, 0);
  // At the compaction revision itself the read works.
  const ok = s.txn({ success: [putOp('w', '1'), getOp('a', { revision: 3 })] });
  assert.equal(text(ok.responses![1]!.response_range!.kvs![0]!.value), '2');
});
