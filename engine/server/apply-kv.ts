// etcd's KV request semantics on top of an MVCC view (etcd: etcdserver/apply.go): range filtering and
// sorting, put with ignore_value/ignore_lease/prev_kv, delete with prev_kv, and transactions whose compares
// choose a branch, whose nested transactions are resolved up front, and whose writes share one revision.
import { Errors } from '../common/errors.ts';
import type { KeyValue } from '../mvcc/key-value.ts';
import type { KvReadView, KvWriteView } from './kv-views.ts';
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { RangeResponse } from '../proto/generated/etcdserverpb/RangeResponse.ts';
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { PutResponse } from '../proto/generated/etcdserverpb/PutResponse.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { DeleteRangeResponse } from '../proto/generated/etcdserverpb/DeleteRangeResponse.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { TxnResponse } from '../proto/generated/etcdserverpb/TxnResponse.ts';
import type { RequestOp__Output } from '../proto/generated/etcdserverpb/RequestOp.ts';
import type { ResponseOp } from '../proto/generated/etcdserverpb/ResponseOp.ts';
import type { Compare__Output } from '../proto/generated/etcdserverpb/Compare.ts';
import type { KeyValue as ProtoKeyValue } from '../proto/generated/mvccpb/KeyValue.ts';

/** What the KV semantics need to know beyond the key space. */
export interface KvApplyContext {
  leaseExists(id: bigint): boolean;
}

const sortNone = 0;
const sortAscend = 1;
const sortDescend = 2;
const targetKey = 0;

/** The wire shape of a KeyValue (int64 fields as numbers or decimal strings). */
export function toProtoKeyValue(kv: KeyValue, keysOnly = false): ProtoKeyValue {
  return {
    key: kv.key,
    create_revision: kv.createRevision,
    mod_revision: kv.modRevision,
    version: kv.version,
    value: keysOnly ? Buffer.alloc(0) : kv.value,
    lease: kv.lease.toString(),
  };
}

/** etcd's range_end rule: empty = single key, otherwise passed through ("\0" = every key >= key). */
export function rangeEnd(end: Uint8Array | null | undefined): Uint8Array | undefined {
  return end && end.length > 0 ? end : undefined;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function sortKeyValues(kvs: KeyValue[], target: number, order: number): void {
  const byTarget: Record<number, (a: KeyValue, b: KeyValue) => number> = {
    0: (a, b) => compareBytes(a.key, b.key),
    1: (a, b) => a.version - b.version,
    2: (a, b) => a.createRevision - b.createRevision,
    3: (a, b) => a.modRevision - b.modRevision,
    4: (a, b) => compareBytes(a.value, b.value),
  };
  const compare = byTarget[target] ?? byTarget[targetKey]!;
  kvs.sort(order === sortDescend ? (a, b) => compare(b, a) : compare);
}

/** Range with etcd's limit, revision filters, sorting, keys_only and count_only rules. */
export function applyRange(view: KvReadView, request: RangeRequest__Output): RangeResponse {
  const requestLimit = Number(request.limit);
  const minMod = Number(request.min_mod_revision);
  const maxMod = Number(request.max_mod_revision);
  const minCreate = Number(request.min_create_revision);
  const maxCreate = Number(request.max_create_revision);
  // Sorting or filtering needs every key before the limit can be applied; otherwise read one extra key to
  // know whether there are more.
  let limit = requestLimit;
  if (request.sort_order !== sortNone || minMod !== 0 || maxMod !== 0 || minCreate !== 0 || maxCreate !== 0) limit = 0;
  if (limit > 0) limit += 1;
  const result = view.range(request.key, rangeEnd(request.range_end), {
    rev: Number(request.revision),
    limit,
    countOnly: request.count_only,
  });
  let kvs = result.kvs;
  if (maxMod !== 0) kvs = kvs.filter((kv) => kv.modRevision <= maxMod);
  if (minMod !== 0) kvs = kvs.filter((kv) => kv.modRevision >= minMod);
  if (maxCreate !== 0) kvs = kvs.filter((kv) => kv.createRevision <= maxCreate);
  if (minCreate !== 0) kvs = kvs.filter((kv) => kv.createRevision >= minCreate);
  let order = request.sort_order;
  if (request.sort_target !== targetKey && order === sortNone) order = sortAscend;
  if (order !== sortNone) sortKeyValues(kvs, request.sort_target, order);
  let more = false;
  if (requestLimit > 0 && kvs.length > requestLimit) {
    kvs = kvs.slice(0, requestLimit);
    more = true;
  }
  return {
    header: { revision: result.rev },
    kvs: kvs.map((kv) => toProtoKeyValue(kv, request.keys_only)),
    more,
    count: result.count,
  };
}

/** Put with etcd's ignore_value / ignore_lease / prev_kv rules. Lease existence is checked by the caller. */
export function applyPut(view: KvWriteView, request: PutRequest__Output): PutResponse {
  let value: Uint8Array = request.value;
  let lease = BigInt(request.lease);
  let previous: KeyValue | undefined;
  if (request.ignore_value || request.ignore_lease || request.prev_kv) {
    previous = view.range(request.key, undefined).kvs[0];
  }
  if ((request.ignore_value || request.ignore_lease) && !previous) throw Errors.KeyNotFound;
  if (request.ignore_value) value = previous!.value;
  if (request.ignore_lease) lease = previous!.lease;
  const response: PutResponse = { header: {} };
  if (request.prev_kv && previous) response.prev_kv = toProtoKeyValue(previous);
  response.header!.revision = view.put(request.key, value, lease);
  return response;
}

/** Delete with prev_kv. */
export function applyDeleteRange(view: KvWriteView, request: DeleteRangeRequest__Output): DeleteRangeResponse {
  const end = rangeEnd(request.range_end);
  const response: DeleteRangeResponse = { header: {} };
  if (request.prev_kv) response.prev_kvs = view.range(request.key, end).kvs.map((kv) => toProtoKeyValue(kv));
  const { deleted, rev } = view.deleteRange(request.key, end);
  response.deleted = deleted;
  response.header!.revision = rev;
  return response;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeyValue(compare: Compare__Output, kv: KeyValue | undefined): boolean {
  let result: number;
  switch (compare.target) {
    case 3: // VALUE
      result = compareBytes(kv?.value ?? Buffer.alloc(0), compare.value ?? Buffer.alloc(0));
      break;
    case 1: // CREATE
      result = compareNumbers(kv?.createRevision ?? 0, Number(compare.create_revision ?? 0));
      break;
    case 2: // MOD
      result = compareNumbers(kv?.modRevision ?? 0, Number(compare.mod_revision ?? 0));
      break;
    case 0: // VERSION
      result = compareNumbers(kv?.version ?? 0, Number(compare.version ?? 0));
      break;
    case 4: {
      const lease = kv?.lease ?? 0n;
      const expected = BigInt(compare.lease ?? 0);
      result = lease < expected ? -1 : lease > expected ? 1 : 0;
      break;
    }
    default:
      return true;
  }
  switch (compare.result) {
    case 0:
      return result === 0;
    case 3:
      return result !== 0;
    case 1:
      return result > 0;
    case 2:
      return result < 0;
    default:
      return true;
  }
}

function applyCompare(view: KvReadView, compare: Compare__Output): boolean {
  let kvs: KeyValue[];
  try {
    kvs = view.range(compare.key, rangeEnd(compare.range_end)).kvs;
  } catch {
    return false;
  }
  if (kvs.length === 0) return compare.target === 3 ? false : compareKeyValue(compare, undefined);
  return kvs.every((kv) => compareKeyValue(compare, kv));
}

/** The branch decisions of a txn and its nested txns, in depth-first order (etcd's txnPath). */
function compareToPath(view: KvReadView, request: TxnRequest__Output): boolean[] {
  const succeeded = request.compare.every((compare) => applyCompare(view, compare));
  const path = [succeeded];
  for (const operation of succeeded ? request.success : request.failure) {
    if (operation.request === 'request_txn' && operation.request_txn) path.push(...compareToPath(view, operation.request_txn));
  }
  return path;
}

/** Whether a txn (with its nested txns) only reads, in both branches. */
export function isReadOnlyTxn(request: TxnRequest__Output): boolean {
  const operations = [...request.success, ...request.failure];
  return operations.every((operation) => {
    if (operation.request === 'request_range') return true;
    if (operation.request === 'request_txn' && operation.request_txn) return isReadOnlyTxn(operation.request_txn);
    return false;
  });
}

type RequestCheck = (view: KvReadView, operation: RequestOp__Output) => void;

/** Runs `check` on every operation of the chosen branches; returns how many nested txns were visited. */
function checkRequests(view: KvReadView, request: TxnRequest__Output, path: boolean[], check: RequestCheck): number {
  let nested = 0;
  let remaining = path.slice(1);
  for (const operation of path[0] ? request.success : request.failure) {
    if (operation.request === 'request_txn' && operation.request_txn) {
      const visited = checkRequests(view, operation.request_txn, remaining, check);
      nested += visited + 1;
      remaining = remaining.slice(visited + 1);
      continue;
    }
    check(view, operation);
  }
  return nested;
}

function checkPutOperation(context: KvApplyContext): RequestCheck {
  return (view, operation) => {
    const put = operation.request_put;
    if (operation.request !== 'request_put' || !put) return;
    if ((put.ignore_value || put.ignore_lease) && view.range(put.key, undefined).kvs.length === 0) throw Errors.KeyNotFound;
    const lease = BigInt(put.lease);
    if (lease !== 0n && !context.leaseExists(lease)) throw Errors.LeaseNotFound;
  };
}

const checkRangeOperation: RequestCheck = (view, operation) => {
  const range = operation.request_range;
  if (operation.request !== 'request_range' || !range) return;
  const revision = Number(range.revision);
  if (revision === 0) return;
  if (revision > view.rev()) throw Errors.FutureRev;
  if (revision < view.firstRev()) throw Errors.Compacted;
};

/** Executes the chosen branch; returns how many nested txns were consumed from `path`. */
function executeTxn(view: KvWriteView, request: TxnRequest__Output, path: boolean[], response: TxnResponse): number {
  let nested = 0;
  let remaining = path.slice(1);
  response.succeeded = path[0];
  response.header = {};
  response.responses = [];
  for (const operation of path[0] ? request.success : request.failure) {
    const result: ResponseOp = {};
    switch (operation.request) {
      case 'request_range':
        result.response_range = applyRange(view, operation.request_range!);
        break;
      case 'request_put':
        result.response_put = applyPut(view, operation.request_put!);
        break;
      case 'request_delete_range':
        result.response_delete_range = applyDeleteRange(view, operation.request_delete_range!);
        break;
      case 'request_txn': {
        const inner: TxnResponse = {};
        const visited = executeTxn(view, operation.request_txn!, remaining, inner);
        result.response_txn = inner;
        nested += visited + 1;
        remaining = remaining.slice(visited + 1);
        break;
      }
      default:
        break;
    }
    response.responses.push(result);
  }
  return nested;
}

/** Runs a function inside one MVCC write transaction and returns its result. */
export type RunWrite = <T>(write: (view: KvWriteView) => T) => T;

/**
 * A transaction: compares are evaluated against a read view, the chosen branch's requests are checked
 * (missing leases, ignore_* on missing keys, unavailable revisions) before anything is written, and then
 * executed in one write transaction. `runWrite` is only used by transactions that write.
 */
export function applyTxn(readView: KvReadView, runWrite: RunWrite, request: TxnRequest__Output, context: KvApplyContext): TxnResponse {
  const path = compareToPath(readView, request);
  const writes = !isReadOnlyTxn(request);
  if (writes) checkRequests(readView, request, path, checkPutOperation(context));
  checkRequests(readView, request, path, checkRangeOperation);
  const execute = (view: KvWriteView): TxnResponse => {
    const response: TxnResponse = {};
    executeTxn(view, request, path, response);
    response.header = { revision: view.rev() + (view.changeCount() > 0 ? 1 : 0) };
    return response;
  };
  return writes ? runWrite(execute) : execute(new ReadOnlyWriteView(readView));
}

/** A read view shaped as a write view for read-only transactions (writes are impossible by construction). */
class ReadOnlyWriteView implements KvWriteView {
  constructor(private readonly view: KvReadView) {}
  range(...args: Parameters<KvReadView['range']>): ReturnType<KvReadView['range']> {
    return this.view.range(...args);
  }
  rev(): number {
    return this.view.rev();
  }
  firstRev(): number {
    return this.view.firstRev();
  }
  put(): number {
    throw new Error('put in a read-only transaction');
  }
  deleteRange(): { deleted: number; rev: number } {
    throw new Error('delete in a read-only transaction');
  }
  changeCount(): number {
    return 0;
  }
}
