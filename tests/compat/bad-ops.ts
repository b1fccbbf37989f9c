// Deliberately invalid requests: each must be refused with exactly etcd's gRPC code and message (or, where etcd
// accepts odd input, answered exactly as etcd answers it).
import type { RequestOp } from '../../engine/proto/generated/etcdserverpb/RequestOp.ts';
import type { Rng } from './rng.ts';
import type { RunState } from './run-state.ts';
import type { Operation } from './operations.ts';
import { keySpace, noEnd, randomValue } from './key-space.ts';

/** etcd's default --max-txn-ops; one more must be refused. */
const txnOpsMax = 128;

/** One invalid (or borderline) operation. */
export function badOperation(rng: Rng, state: RunState): Operation {
  const empty = Buffer.alloc(0);
  const key = rng.pick(keySpace);
  const choice = rng.weighted({
    emptyPutKey: 5, emptyRangeKey: 4, emptyDeleteKey: 3, tooManyTxnOps: 4, duplicatePutsInTxn: 6,
    putOverlapsDeleteInTxn: 5, duplicateAcrossNestedTxn: 4, valueWithIgnoreValue: 4, leaseWithIgnoreLease: 4,
    unknownLease: 5, compactedRead: 5, futureRead: 5, futureCompact: 3, tooLargeTtl: 3, duplicateLease: 2,
    emptyWatchRange: 3, emptyCompareKey: 2, badSortOrder: 3, negativeLimit: 3, rangeEndOnly: 2, emptyRangeEnd: 2,
  });
  switch (choice) {
    case 'emptyPutKey':
      return { kind: 'put', request: { key: empty, value: randomValue(rng) } };
    case 'emptyRangeKey':
      return { kind: 'range', request: { key: empty, range_end: rng.chance(0.5) ? noEnd : empty } };
    case 'emptyDeleteKey':
      return { kind: 'deleteRange', request: { key: empty } };
    case 'tooManyTxnOps':
      return { kind: 'txn', request: { success: Array.from({ length: txnOpsMax + 1 }, () => ({ request_range: { key } })) } };
    case 'duplicatePutsInTxn':
      return { kind: 'txn', request: { success: [putOp(key, 'one'), putOp(key, 'two')] } };
    case 'putOverlapsDeleteInTxn':
      return { kind: 'txn', request: { success: [putOp(key, 'one'), { request_delete_range: { key: Buffer.from([0]), range_end: noEnd } }] } };
    case 'duplicateAcrossNestedTxn':
      return { kind: 'txn', request: { success: [putOp(key, 'outer'), { request_txn: { success: [putOp(key, 'inner')] } }] } };
    case 'valueWithIgnoreValue':
      return { kind: 'put', request: { key, value: Buffer.from('v'), ignore_value: true } };
    case 'leaseWithIgnoreLease':
      return { kind: 'put', request: { key, value: Buffer.from('v'), lease: '7001', ignore_lease: true } };
    case 'unknownLease':
      return { kind: 'put', request: { key, value: Buffer.from('v'), lease: '424242' } };
    case 'compactedRead':
      return { kind: 'range', request: { key, revision: Math.max(state.compacted - 1, 1) } };
    case 'futureRead':
      return { kind: 'range', request: { key, revision: state.revision + 10 } };
    case 'futureCompact':
      return { kind: 'compact', request: { revision: state.revision + 10 } };
    case 'tooLargeTtl':
      return { kind: 'leaseGrant', request: { ID: '999999', TTL: 9_000_000_001 } };
    case 'duplicateLease':
      return { kind: 'leaseGrant', request: { ID: rng.pick([...state.leases, '424243']), TTL: 600 } };
    case 'emptyWatchRange':
      return { kind: 'watchCreate', request: { key: Buffer.from('b'), range_end: Buffer.from('a') } };
    case 'emptyCompareKey':
      return { kind: 'txn', request: { compare: [{ key: empty, target: 'VERSION', result: 'EQUAL', version: 0 }] } };
    case 'badSortOrder':
      // Values outside the enums: etcd 3.4 does not validate them (3.5 refuses a bad sort order).
      return { kind: 'range', request: { key: noEnd, range_end: noEnd, sort_order: 7 as 0, sort_target: 9 as 0 } };
    case 'negativeLimit':
      return { kind: 'range', request: { key: noEnd, range_end: noEnd, limit: -1 } };
    case 'rangeEndOnly':
      return { kind: 'deleteRange', request: { key: empty, range_end: noEnd } };
    case 'emptyRangeEnd':
      return { kind: 'range', request: { key, range_end: key } };
  }
}

function putOp(key: Buffer, value: string): RequestOp {
  return { request_put: { key, value: Buffer.from(value) } };
}
