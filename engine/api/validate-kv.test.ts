// Proves the API-edge checks match etcd's v3rpc/key.go: empty keys, ignore_* conflicts, txn operation counts
// (including nested txns, which get the budget left by their parent) and checkIntervals' duplicate-key rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '../common/errors.ts';
import { messageType, protoConversionOptions } from '../proto/load.ts';
import { checkDeleteRequest, checkIntervals, checkPutRequest, checkRangeRequest, checkTxnRequest } from './validate-kv.ts';
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { RequestOp__Output } from '../proto/generated/etcdserverpb/RequestOp.ts';

/** A request in the exact shape grpc-js hands to handlers (defaults filled, int64 as strings). */
function decode<T>(typeName: string, object: Record<string, unknown>): T {
  const type = messageType(`etcdserverpb.${typeName}`);
  return type.toObject(type.fromObject(object), protoConversionOptions) as T;
}

const b = (text: string) => Buffer.from(text);
const put = (key: string, extra: Record<string, unknown> = {}) => ({ request_put: { key: b(key), value: b('v'), ...extra } });
const del = (key: string, end?: string) => ({ request_delete_range: { key: b(key), ...(end === undefined ? {} : { range_end: b(end) }) } });
const get = (key: string) => ({ request_range: { key: b(key) } });
const txn = (success: object[], failure: object[] = [], compare: object[] = []) => ({ request_txn: { compare, success, failure } });
const txnRequest = (object: Record<string, unknown>) => decode<TxnRequest__Output>('TxnRequest', object);
const ops = (list: object[]) => txnRequest({ success: list }).success as RequestOp__Output[];

test('empty keys are rejected in range, put and delete', () => {
  assert.throws(() => checkRangeRequest(decode<RangeRequest__Output>('RangeRequest', {})), Errors.EmptyKey);
  assert.throws(() => checkPutRequest(decode<PutRequest__Output>('PutRequest', { value: b('v') })), Errors.EmptyKey);
  assert.throws(() => checkDeleteRequest(decode<DeleteRangeRequest__Output>('DeleteRangeRequest', { range_end: b('z') })), Errors.EmptyKey);
  checkRangeRequest(decode<RangeRequest__Output>('RangeRequest', { key: b('a') }));
  checkPutRequest(decode<PutRequest__Output>('PutRequest', { key: b('a') }));
  checkDeleteRequest(decode<DeleteRangeRequest__Output>('DeleteRangeRequest', { key: b('a') }));
});

test('ignore_value with a value and ignore_lease with a lease are rejected', () => {
  const putRequest = (object: Record<string, unknown>) => decode<PutRequest__Output>('PutRequest', { key: b('k'), ...object });
  assert.throws(() => checkPutRequest(putRequest({ ignore_value: true, value: b('x') })), Errors.ValueProvided);
  assert.throws(() => checkPutRequest(putRequest({ ignore_lease: true, lease: '7' })), Errors.LeaseProvided);
  // Each flag alone, without the conflicting field, is fine.
  checkPutRequest(putRequest({ ignore_value: true, lease: '7' }));
  checkPutRequest(putRequest({ ignore_lease: true, value: b('x') }));
  checkPutRequest(putRequest({ ignore_value: true, ignore_lease: true }));
});

test('a txn with more compares or ops than the limit is rejected; exactly the limit is accepted', () => {
  const gets = (count: number) => Array.from({ length: count }, (_, index) => get(`k${index}`));
  const compares = (count: number) => Array.from({ length: count }, (_, index) => ({ key: b(`c${index}`), target: 'VERSION' }));
  checkTxnRequest(txnRequest({ success: gets(3), failure: gets(3), compare: compares(3) }), 3);
  assert.throws(() => checkTxnRequest(txnRequest({ success: gets(4) }), 3), Errors.TooManyOps);
  assert.throws(() => checkTxnRequest(txnRequest({ failure: gets(4) }), 3), Errors.TooManyOps);
  assert.throws(() => checkTxnRequest(txnRequest({ compare: compares(4) }), 3), Errors.TooManyOps);
});

test('a nested txn gets the operation budget its parent leaves (maxTxnOps - parent ops)', () => {
  // Parent has 2 ops, limit 4: the nested txn may have at most 2.
  const nested = (count: number) => txn(Array.from({ length: count }, (_, index) => get(`n${index}`)));
  checkTxnRequest(txnRequest({ success: [nested(2), get('a')] }), 4);
  assert.throws(() => checkTxnRequest(txnRequest({ success: [nested(3), get('a')] }), 4), Errors.TooManyOps);
  assert.throws(() => checkTxnRequest(txnRequest({ failure: [nested(3), get('a')] }), 4), Errors.TooManyOps);
});

test('empty keys inside txn compares, branches and nested txns are rejected', () => {
  assert.throws(() => checkTxnRequest(txnRequest({ compare: [{ key: b(''), target: 'VALUE' }] }), 128), Errors.EmptyKey);
  assert.throws(() => checkTxnRequest(txnRequest({ success: [put('')] }), 128), Errors.EmptyKey);
  assert.throws(() => checkTxnRequest(txnRequest({ failure: [txn([del('')])] }), 128), Errors.EmptyKey);
  assert.throws(() => checkTxnRequest(txnRequest({ success: [put('k', { ignore_value: true })] }), 128), Errors.ValueProvided);
});

test('an empty RequestOp in a txn is rejected with "key not found", as etcd does', () => {
  assert.throws(() => checkTxnRequest(txnRequest({ success: [{}] }), 128), Errors.KeyNotFound);
});

test('checkIntervals: the same key put twice at one level is a duplicate', () => {
  assert.throws(() => checkIntervals(ops([put('a'), put('a')])), Errors.DuplicateKey);
  const result = checkIntervals(ops([put('a'), put('b'), get('a'), get('a')]));
  assert.deepEqual([...result.puts].sort(), ['a', 'b']);
});

test('checkIntervals: a put covered by a delete (single key or range) at the same level is a duplicate', () => {
  assert.throws(() => checkIntervals(ops([del('a'), put('a')])), Errors.DuplicateKey);
  assert.throws(() => checkIntervals(ops([put('a'), del('a')])), Errors.DuplicateKey);
  assert.throws(() => checkIntervals(ops([put('b'), del('a', 'c')])), Errors.DuplicateKey);
  // Range ends are exclusive: [a, c) does not cover c.
  checkIntervals(ops([put('c'), del('a', 'c')]));
  // Deletes alone may overlap each other.
  checkIntervals(ops([del('a', 'z'), del('b')]));
  // etcd treats "\0" literally here (no "every key >= key" rule), so [a, "\0") covers nothing.
  checkIntervals(ops([put('b'), del('a', '\0')]));
});

test('checkIntervals: nested txn puts conflict with this level\'s puts and deletes', () => {
  assert.throws(() => checkIntervals(ops([txn([put('a')]), put('a')])), Errors.DuplicateKey);
  assert.throws(() => checkIntervals(ops([txn([put('a')]), del('a')])), Errors.DuplicateKey);
  assert.throws(() => checkIntervals(ops([txn([], [put('b')]), del('a', 'c')])), Errors.DuplicateKey);
  // Two sibling nested txns both putting the same key in their then-branches.
  assert.throws(() => checkIntervals(ops([txn([put('a')]), txn([put('a')])])), Errors.DuplicateKey);
});

test('checkIntervals: the same key in a nested txn\'s then and else branches is allowed (mutually exclusive)', () => {
  const result = checkIntervals(ops([txn([put('a')], [put('a')])]));
  assert.deepEqual([...result.puts], ['a']);
  // ...but an else-branch put of a key an earlier sibling already put is not.
  assert.throws(() => checkIntervals(ops([txn([put('a')]), txn([put('x')], [put('a')])])), Errors.DuplicateKey);
});

test('checkIntervals: deletes of nested txns conflict with later puts at this level, not with sibling nested puts before them', () => {
  assert.throws(() => checkIntervals(ops([txn([del('a')]), put('a')])), Errors.DuplicateKey);
  assert.throws(() => checkIntervals(ops([txn([], [del('a', 'c')]), put('b')])), Errors.DuplicateKey);
  // etcd checks a nested txn's puts before adding its deletes, and a later sibling's deletes after: a nested
  // put followed by a sibling nested delete of the same key passes.
  checkIntervals(ops([txn([put('a')]), txn([del('a')])]));
  // A nested txn's own put and delete of the same key is caught inside it.
  assert.throws(() => checkIntervals(ops([txn([put('a'), del('a')])])), Errors.DuplicateKey);
});
