// Hand-written sequences that pin down one behaviour each. Servers are fresh, so the first write is revision 2.
// Strings in keys and values are sent as UTF-8 (see tests/support/request-bytes.ts).
import type { Operation } from './operations.ts';
import type { OperationSource } from './run-state.ts';
import type { RangeRequest } from '../../engine/proto/generated/etcdserverpb/RangeRequest.ts';
import type { RequestOp } from '../../engine/proto/generated/etcdserverpb/RequestOp.ts';
import type { Compare } from '../../engine/proto/generated/etcdserverpb/Compare.ts';
import type { TxnRequest } from '../../engine/proto/generated/etcdserverpb/TxnRequest.ts';
import type { WatchCreateRequest } from '../../engine/proto/generated/etcdserverpb/WatchCreateRequest.ts';

/** A named, fixed sequence of operations. */
export interface FixedCase {
  name: string;
  operations: Operation[];
}

const all = { key: '\0', range_end: '\0' };
const put = (key: string, value: string, extra: object = {}): Operation => ({ kind: 'put', request: { key, value, ...extra } });
const get = (key: string, extra: Partial<RangeRequest> = {}): Operation => ({ kind: 'range', request: { key, ...extra } });
const range = (request: RangeRequest): Operation => ({ kind: 'range', request });
const del = (key: string, extra: object = {}): Operation => ({ kind: 'deleteRange', request: { key, ...extra } });
const txn = (request: TxnRequest): Operation => ({ kind: 'txn', request });
const compact = (revision: number, physical = false): Operation => ({ kind: 'compact', request: { revision, physical } });
const grant = (id: string, ttlSeconds: number): Operation => ({ kind: 'leaseGrant', request: { ID: id, TTL: ttlSeconds } });
const watch = (request: WatchCreateRequest): Operation => ({ kind: 'watchCreate', request });
const putOp = (key: string, value: string): RequestOp => ({ request_put: { key, value } });
const getOp = (key: string, extra: Partial<RangeRequest> = {}): RequestOp => ({ request_range: { key, ...extra } });
const compare = (key: string, target: Compare['target'], result: Compare['result'], field: Partial<Compare>): Compare =>
  ({ key, target, result, ...field });

const seedKeys = ['a', 'a/1', 'a/2', 'ab', 'b', 'c'].map((key, index) => put(key, `v${index}`));

/** The hand-written cases, in the order they run. */
export const fixedCases: FixedCase[] = [
  {
    name: 'put and get: revisions, versions, prev_kv',
    operations: [put('a', '1'), put('a', '2', { prev_kv: true }), get('a'), get('a', { revision: 2 }), get('missing'),
      put('b', '', { prev_kv: true }), get('b'), get('a', { revision: 1 })],
  },
  {
    name: 'ranges: prefix, from key, all, limit, sort, count_only, keys_only, filters',
    operations: [...seedKeys, put('a/1', 'again'),
      range({ key: 'a', range_end: 'b' }), range({ key: 'a/', range_end: 'a0' }), range({ key: 'ab', range_end: '\0' }),
      range({ ...all }), range({ ...all, limit: 2 }), range({ ...all, limit: 2, count_only: true }),
      range({ ...all, keys_only: true }), range({ ...all, sort_order: 'DESCEND' }),
      range({ ...all, sort_target: 'VERSION' }), range({ ...all, sort_order: 'DESCEND', sort_target: 'MOD', limit: 3 }),
      range({ ...all, sort_target: 'VALUE', sort_order: 'ASCEND' }), range({ ...all, sort_target: 'CREATE', sort_order: 'DESCEND' }),
      range({ ...all, min_mod_revision: 4, max_mod_revision: 6 }), range({ ...all, min_create_revision: 3, max_create_revision: 5 }),
      range({ ...all, revision: 4 }), range({ ...all, revision: 4, limit: 1 }), range({ key: 'b', range_end: 'a' }),
      range({ key: 'a', range_end: 'a' }), range({ ...all, serializable: true })],
  },
  {
    name: 'deletes: single, range, prefix, prev_kv, missing',
    operations: [...seedKeys, del('missing'), del('a', { prev_kv: true }), del('a/', { range_end: 'a0', prev_kv: true }),
      del('ab', { range_end: 'c' }), get('\0', { range_end: '\0' }), del('\0', { range_end: '\0', prev_kv: true })],
  },
  {
    name: 'txn: compares on every target, branches, nested txn',
    operations: [...seedKeys, grant('100', 600), put('c', 'leased', { lease: '100' }),
      txn({ compare: [compare('a', 'VERSION', 'EQUAL', { version: 1 })], success: [putOp('a', 'won'), getOp('a')], failure: [getOp('b')] }),
      txn({ compare: [compare('a', 'VALUE', 'EQUAL', { value: 'nope' })], success: [putOp('b', 'x')], failure: [getOp('a'), { request_delete_range: { key: 'b', prev_kv: true } }] }),
      txn({ compare: [compare('a', 'CREATE', 'LESS', { create_revision: 3 }), compare('b', 'MOD', 'GREATER', { mod_revision: 1 })], success: [getOp('\0', { range_end: '\0', count_only: true })] }),
      txn({ compare: [compare('c', 'LEASE', 'EQUAL', { lease: '100' })], success: [{ request_txn: { compare: [compare('zz', 'VERSION', 'EQUAL', { version: 0 })], success: [putOp('zz', 'nested')], failure: [] } }] }),
      txn({ compare: [compare('a', 'VERSION', 'GREATER', { version: 0, range_end: 'b' })], success: [getOp('a', { range_end: 'b' })], failure: [] }),
      txn({ compare: [compare('missing', 'MOD', 'NOT_EQUAL', { mod_revision: 0 })], success: [], failure: [putOp('missing', 'now')] }),
      txn({}), get('\0', { range_end: '\0' })],
  },
  {
    name: 'compaction: reads below, at and above it; compacting twice; compacting the future',
    operations: [compact(0), compact(0), ...seedKeys, put('a', 'later'), compact(4, true), get('a', { revision: 3 }), get('a', { revision: 4 }),
      get('\0', { range_end: '\0', revision: 5 }), compact(4), compact(3), compact(99), compact(8), get('a', { revision: 7 }),
      get('a', { revision: 8 }), get('a', { revision: 9 })],
  },
  {
    name: 'leases: grant, attach, time to live, revoke deletes keys, unknown and duplicate leases',
    // A TTL below the minimum is raised to it (2 s with etcd's default timing); revoked at once, before it expires.
    operations: [grant('300', 1), { kind: 'leaseRevoke', id: '300' },
      grant('200', 600), grant('201', 900), grant('200', 60), grant('202', 9_000_000_001),
      put('x', '1', { lease: '200' }), put('y', '2', { lease: '200' }), put('z', '3', { lease: '201' }),
      put('x', 'kept', { ignore_lease: true, prev_kv: true }), put('x', '', { ignore_value: true, prev_kv: true }),
      { kind: 'leaseTimeToLive', id: '200', keys: true }, { kind: 'leaseTimeToLive', id: '999', keys: true },
      { kind: 'leaseLeases' }, { kind: 'leaseRevoke', id: '200' }, { kind: 'leaseRevoke', id: '200' },
      get('\0', { range_end: '\0' }), put('w', '1', { lease: '200' }), { kind: 'leaseTimeToLive', id: '200', keys: false }],
  },
  {
    name: 'watches: history with prev_kv, filters, compacted and future starts, cancel, empty range',
    operations: [...seedKeys, put('a', 'second'), del('b'),
      watch({ key: 'a', range_end: 'b', start_revision: 2, prev_kv: true }),
      watch({ key: '\0', range_end: '\0', start_revision: 3, filters: ['NOPUT'] }),
      watch({ key: '\0', range_end: '\0', filters: ['NODELETE'] }),
      watch({ key: 'c', start_revision: 12 }), watch({ key: 'b', range_end: 'a' }),
      put('c', 'seen'), put('c', 'seen again'), del('a/', { range_end: 'a0' }), compact(5),
      watch({ key: 'a', start_revision: 3 }), { kind: 'watchCancel', watchId: '1' }, { kind: 'watchCancel', watchId: '77' },
      { kind: 'watchProgress' }, put('a', 'after cancel'), { kind: 'watchProgress' }],
  },
  {
    name: 'bad input: empty keys, txn limits and duplicates, put flags, large requests',
    operations: [put('', 'v'), get(''), del(''), put('a', 'v'), put('a', 'v', { ignore_value: true }),
      put('nokey', '', { ignore_value: true }), put('a', 'v', { lease: '5', ignore_lease: true }), put('a', 'v', { lease: '5' }),
      txn({ success: Array.from({ length: 129 }, () => getOp('a')) }), txn({ success: Array.from({ length: 128 }, () => getOp('a')) }),
      txn({ success: [putOp('a', '1'), putOp('a', '2')] }), txn({ success: [putOp('a', '1')], failure: [putOp('a', '2')] }),
      txn({ success: [putOp('a/1', '1'), { request_delete_range: { key: 'a', range_end: 'b' } }] }),
      txn({ success: [{ request_txn: { success: [putOp('q', '1')] } }, { request_txn: { success: [putOp('q', '2')] } }] }),
      txn({ success: [getOp('')] }), txn({ compare: [compare('', 'VERSION', 'EQUAL', { version: 0 })] }), put('big', 'x'.repeat(1024 * 1024)), put('toobig', 'x'.repeat(1600 * 1024)),
      get('\0', { range_end: '\0', keys_only: true })],
  },
];

/** Replays a fixed case. */
export function fixedSource(fixed: FixedCase): OperationSource {
  let index = 0;
  return { next: () => fixed.operations[index++], observe: () => undefined };
}
