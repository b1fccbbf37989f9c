// Request checks made at the API edge before anything is proposed, with etcd's errors (v3rpc/key.go):
// empty keys, ignore_value/ignore_lease conflicts, too many txn operations and overlapping writes in one txn.
import { Errors } from '../common/errors.ts';
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { RequestOp__Output } from '../proto/generated/etcdserverpb/RequestOp.ts';

function isEmpty(bytes: Uint8Array | null | undefined): boolean {
  return !bytes || bytes.length === 0;
}

/** Throws etcd's error for an invalid RangeRequest. */
export function checkRangeRequest(request: RangeRequest__Output): void {
  if (isEmpty(request.key)) throw Errors.EmptyKey;
}

/** Throws etcd's error for an invalid PutRequest. */
export function checkPutRequest(request: PutRequest__Output): void {
  if (isEmpty(request.key)) throw Errors.EmptyKey;
  if (request.ignore_value && !isEmpty(request.value)) throw Errors.ValueProvided;
  if (request.ignore_lease && request.lease !== '0') throw Errors.LeaseProvided;
}

/** Throws etcd's error for an invalid DeleteRangeRequest. */
export function checkDeleteRequest(request: DeleteRangeRequest__Output): void {
  if (isEmpty(request.key)) throw Errors.EmptyKey;
}

function checkRequestOp(operation: RequestOp__Output, txnOpsMax: number): void {
  switch (operation.request) {
    case 'request_range':
      return checkRangeRequest(operation.request_range!);
    case 'request_put':
      return checkPutRequest(operation.request_put!);
    case 'request_delete_range':
      return checkDeleteRequest(operation.request_delete_range!);
    case 'request_txn':
      return checkTxnRequest(operation.request_txn!, txnOpsMax);
    default:
      throw Errors.KeyNotFound;
  }
}

/** Throws etcd's error for an invalid TxnRequest (operation counts, empty keys, nested checks). */
export function checkTxnRequest(request: TxnRequest__Output, txnOpsMax: number): void {
  const operations = Math.max(request.compare.length, request.success.length, request.failure.length);
  if (operations > txnOpsMax) throw Errors.TooManyOps;
  for (const compare of request.compare) if (isEmpty(compare.key)) throw Errors.EmptyKey;
  for (const operation of request.success) checkRequestOp(operation, txnOpsMax - operations);
  for (const operation of request.failure) checkRequestOp(operation, txnOpsMax - operations);
}

/** A deleted interval [begin, end); `end` undefined means the single key `begin`. */
interface DeletedInterval {
  begin: Buffer;
  end: Buffer | undefined;
}

function intersects(interval: DeletedInterval, key: Buffer): boolean {
  if (interval.end === undefined) return interval.begin.equals(key);
  // Same comparison as etcd's affine intervals: begin <= key < end, where an empty end is unbounded.
  return Buffer.compare(interval.begin, key) <= 0 && (interval.end.length === 0 || Buffer.compare(key, interval.end) < 0);
}

function anyIntersects(intervals: DeletedInterval[], key: Buffer): boolean {
  return intervals.some((interval) => intersects(interval, key));
}

/**
 * Rejects a txn branch that writes the same key twice, or puts a key it also deletes, with
 * "duplicate key given in txn request" — etcd's checkIntervals, including its rules for nested txns.
 */
export function checkIntervals(operations: RequestOp__Output[]): { puts: Set<string>; deletes: DeletedInterval[] } {
  const deletes: DeletedInterval[] = [];
  for (const operation of operations) {
    const request = operation.request_delete_range;
    if (operation.request !== 'request_delete_range' || !request) continue;
    deletes.push({ begin: request.key, end: isEmpty(request.range_end) ? undefined : request.range_end });
  }
  const puts = new Set<string>();
  for (const operation of operations) {
    if (operation.request !== 'request_txn' || !operation.request_txn) continue;
    const thenBranch = checkIntervals(operation.request_txn.success);
    const elseBranch = checkIntervals(operation.request_txn.failure);
    for (const key of thenBranch.puts) {
      if (puts.has(key) || anyIntersects(deletes, Buffer.from(key, 'latin1'))) throw Errors.DuplicateKey;
      puts.add(key);
    }
    for (const key of elseBranch.puts) {
      if (puts.has(key) && !thenBranch.puts.has(key)) throw Errors.DuplicateKey;
      if (anyIntersects(deletes, Buffer.from(key, 'latin1'))) throw Errors.DuplicateKey;
      puts.add(key);
    }
    // etcd unions the nested branches' deletes into this level's (over the whole key space).
    deletes.push(...thenBranch.deletes, ...elseBranch.deletes);
  }
  for (const operation of operations) {
    if (operation.request !== 'request_put' || !operation.request_put) continue;
    const key = operation.request_put.key;
    const name = key.toString('latin1');
    if (puts.has(name) || anyIntersects(deletes, key)) throw Errors.DuplicateKey;
    puts.add(name);
  }
  return { puts, deletes };
}
