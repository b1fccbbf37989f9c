// The KV calls of a connection with the key-prefix scope applied: keys and range ends gain the scope's prefix on
// the way out and lose it on the way back, so everything above this layer works in the scoped keyspace.
import type { KeyValue, TxnCompare, TxnOp, TxnOpResult } from '../../common/contract.ts';
import type { RangeRequest } from '../../../engine/proto/generated/etcdserverpb/RangeRequest.ts';
import type { RangeResponse__Output } from '../../../engine/proto/generated/etcdserverpb/RangeResponse.ts';
import type { PutRequest } from '../../../engine/proto/generated/etcdserverpb/PutRequest.ts';
import type { PutResponse__Output } from '../../../engine/proto/generated/etcdserverpb/PutResponse.ts';
import type { DeleteRangeRequest } from '../../../engine/proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { DeleteRangeResponse__Output } from '../../../engine/proto/generated/etcdserverpb/DeleteRangeResponse.ts';
import type { TxnRequest } from '../../../engine/proto/generated/etcdserverpb/TxnRequest.ts';
import type { TxnResponse__Output } from '../../../engine/proto/generated/etcdserverpb/TxnResponse.ts';
import type { Compare } from '../../../engine/proto/generated/etcdserverpb/Compare.ts';
import type { RequestOp } from '../../../engine/proto/generated/etcdserverpb/RequestOp.ts';
import type { KeyValue__Output } from '../../../engine/proto/generated/mvccpb/KeyValue.ts';
import type { EtcdConnection } from './etcd-connection.ts';
import { allKeysFrom, prefixEnd, type KeyScope } from './key-range.ts';

/** A range in the scoped keyspace. */
export interface ScopedRange {
  key: Uint8Array;
  /** Undefined: the single key. */
  rangeEnd?: Uint8Array;
}

/** The range of every key starting with `prefix` (the whole scope for an empty prefix). */
export function prefixRange(prefix: Uint8Array): ScopedRange {
  return { key: prefix, rangeEnd: prefix.length === 0 ? allKeysFrom : prefixEnd(prefix) };
}

/** A KeyValue of the contract from one of etcd's, its value cut to `valueBytesMax`. */
export function toKeyValue(kv: KeyValue__Output, scope: KeyScope, valueBytesMax: number, keysOnly = false): KeyValue {
  const value = kv.value ?? Buffer.alloc(0);
  return {
    key: new Uint8Array(scope.strip(kv.key)),
    value: new Uint8Array(value.subarray(0, Math.min(value.length, valueBytesMax))),
    valueSize: keysOnly ? null : value.length,
    valueTruncated: !keysOnly && value.length > valueBytesMax,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
    lease: kv.lease,
  };
}

/** The header revision of a response, as a number. */
export function headerRevision(response: { header: { revision: string } | null }): number {
  return Number(response.header?.revision ?? 0);
}

const compareResults = { equal: 0, greater: 1, less: 2, 'not-equal': 3 } as const;
const compareTargets = { version: 0, create: 1, mod: 2, value: 3, lease: 4 } as const;

/** KV calls with the connection's scope applied. */
export class KvApi {
  /** KV calls over `connection`. */
  constructor(private readonly connection: EtcdConnection) {}

  /** The scope of the connection. */
  get scope(): KeyScope {
    return this.connection.scope;
  }

  /** Range over a scoped range. */
  range(range: ScopedRange, options: Omit<RangeRequest, 'key' | 'range_end'> = {}): Promise<RangeResponse__Output> {
    const request: RangeRequest = { ...options, key: this.rangeKey(range), range_end: this.scope.rangeEnd(range.rangeEnd) };
    return this.connection.unary('read', (services, metadata, callOptions, callback) => services.kv.range(request, metadata, callOptions, callback));
  }

  /** Put one key. */
  put(key: Uint8Array, value: Uint8Array, options: Omit<PutRequest, 'key' | 'value'> = {}): Promise<PutResponse__Output> {
    const request: PutRequest = { ...options, key: this.scope.key(key), value };
    return this.connection.unary('write', (services, metadata, callOptions, callback) => services.kv.put(request, metadata, callOptions, callback));
  }

  /** Delete a scoped range. */
  deleteRange(range: ScopedRange, prevKv = false): Promise<DeleteRangeResponse__Output> {
    const request: DeleteRangeRequest = { key: this.rangeKey(range), range_end: this.scope.rangeEnd(range.rangeEnd), prev_kv: prevKv };
    return this.connection.unary('write', (services, metadata, callOptions, callback) => services.kv.deleteRange(request, metadata, callOptions, callback));
  }

  /** A transaction of contract compares and operations. */
  txn(compare: readonly TxnCompare[], success: readonly TxnOp[], failure: readonly TxnOp[]): Promise<TxnResponse__Output> {
    const request: TxnRequest = {
      compare: compare.map((item) => this.compare(item)),
      success: success.map((op) => this.operation(op)),
      failure: failure.map((op) => this.operation(op)),
    };
    // Read-only transactions may go to another endpoint after a failure; anything that writes may not.
    const writes = [...success, ...failure].some((op) => op.type !== 'range');
    return this.connection.unary(writes ? 'write' : 'read', (services, metadata, callOptions, callback) => services.kv.txn(request, metadata, callOptions, callback));
  }

  /** The results of a transaction's operations in contract form. */
  results(response: TxnResponse__Output, valueBytesMax: number): TxnOpResult[] {
    return response.responses.map((item): TxnOpResult => {
      if (item.response_put) return { type: 'put', revision: headerRevision(item.response_put) || headerRevision(response) };
      if (item.response_delete_range) {
        const deleted = item.response_delete_range;
        return { type: 'delete', deleted: Number(deleted.deleted), prevKvs: deleted.prev_kvs.map((kv) => toKeyValue(kv, this.scope, valueBytesMax)) };
      }
      const range = item.response_range;
      return {
        type: 'range',
        kvs: (range?.kvs ?? []).map((kv) => toKeyValue(kv, this.scope, valueBytesMax)),
        count: Number(range?.count ?? 0),
        more: range?.more ?? false,
      };
    });
  }

  /** The server key of a range's start: a single key as it is, a range from the empty key from `\0`. */
  private rangeKey(range: ScopedRange): Uint8Array {
    return range.rangeEnd === undefined ? this.scope.key(range.key) : this.scope.rangeStart(range.key);
  }

  private compare(item: TxnCompare): Compare {
    const base: Compare = {
      key: this.scope.key(item.key),
      range_end: this.scope.rangeEnd(item.rangeEnd),
      result: compareResults[item.result],
      target: compareTargets[item.target],
    };
    switch (item.target) {
      case 'version':
        return { ...base, version: item.operand };
      case 'create':
        return { ...base, create_revision: item.operand };
      case 'mod':
        return { ...base, mod_revision: item.operand };
      case 'value':
        return { ...base, value: item.value };
      case 'lease':
        return { ...base, lease: item.lease };
    }
  }

  private operation(op: TxnOp): RequestOp {
    const range = (key: Uint8Array, rangeEnd: Uint8Array | undefined, prefix: boolean | undefined): ScopedRange =>
      prefix ? prefixRange(key) : { key, rangeEnd };
    switch (op.type) {
      case 'put':
        return { request_put: { key: this.scope.key(op.key), value: op.value, lease: op.lease ?? '0', ignore_lease: op.ignoreLease ?? false } };
      case 'delete': {
        const target = range(op.key, op.rangeEnd, op.prefix);
        return { request_delete_range: { key: this.rangeKey(target), range_end: this.scope.rangeEnd(target.rangeEnd), prev_kv: op.prevKv ?? false } };
      }
      case 'range': {
        const target = range(op.key, op.rangeEnd, op.prefix);
        return {
          request_range: {
            key: this.rangeKey(target), range_end: this.scope.rangeEnd(target.rangeEnd), limit: op.limit ?? 0,
            keys_only: op.keysOnly ?? false, count_only: op.countOnly ?? false,
          },
        };
      }
    }
  }
}
