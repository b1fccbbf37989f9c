// A history replayed both against a real etcd 3.4.23 (by record-etcd-golden.ts) and against our store (by
// hash.test.ts): the HashKV values recorded from etcd must come out of our store byte for byte. Keys and
// values are latin1 strings so that any byte (0x00, 0xff) can appear. Lease IDs are chosen by us (the
// gateway's LeaseGrant accepts an ID) so both sides store the same numbers.

/** One operation of the history. */
export type GoldenOperation =
  | { op: 'put'; key: string; value: string; lease?: bigint }
  | { op: 'delete'; key: string; end?: string }
  | { op: 'txn'; writes: Array<{ put: [string, string] } | { delete: string; end?: string }> }
  | { op: 'grant'; lease: bigint }
  /** Revoking a lease deletes its keys in one transaction, in key order (etcd's lessor.Revoke). */
  | { op: 'revoke'; lease: bigint; keys: string[] }
  | { op: 'compact'; revision: number }
  /** HashKV at `revision` (0: current); `expected` is what etcd 3.4.23 answered. */
  | { op: 'hash'; revision: number; expected?: GoldenHash };

/** etcd's HashKV answer, or the error message it refused with. */
export type GoldenHash = { hash: number; compactRevision: number; headerRevision: number } | { error: string };

const binaryKey = '\xff\x00a';

/** The history; `expected` values were recorded from etcd 3.4.23 with record-etcd-golden.ts. */
export const goldenHistory: GoldenOperation[] = [
  { op: 'hash', revision: 0, expected: { hash: 1084519789, compactRevision: -1, headerRevision: 1 } },
  { op: 'put', key: 'foo', value: 'bar' },
  { op: 'put', key: 'foo', value: 'bar2' },
  { op: 'put', key: binaryKey, value: '\x00' },
  { op: 'txn', writes: [{ put: ['a', '1'] }, { put: ['b', '2'] }, { delete: 'foo' }] },
  { op: 'hash', revision: 0, expected: { hash: 2217174276, compactRevision: -1, headerRevision: 5 } },
  { op: 'grant', lease: 0x1234567n },
  { op: 'put', key: 'leased', value: 'v', lease: 0x1234567n },
  { op: 'delete', key: 'a', end: 'c' },
  { op: 'delete', key: 'nothing-here' },
  { op: 'txn', writes: [] },
  { op: 'put', key: 'foo', value: 'again' },
  { op: 'put', key: 'big', value: 'x'.repeat(300) },
  { op: 'put', key: 'e', value: '' },
  { op: 'txn', writes: [{ put: ['t', '1'] }, { put: ['u', '2'] }, { delete: binaryKey }] },
  { op: 'hash', revision: 0, expected: { hash: 417584174, compactRevision: -1, headerRevision: 11 } },
  { op: 'hash', revision: 5, expected: { hash: 2217174276, compactRevision: -1, headerRevision: 11 } },
  { op: 'hash', revision: 8, expected: { hash: 127106863, compactRevision: -1, headerRevision: 11 } },
  { op: 'compact', revision: 6 },
  { op: 'hash', revision: 0, expected: { hash: 2892056129, compactRevision: 6, headerRevision: 11 } },
  { op: 'hash', revision: 8, expected: { hash: 691393107, compactRevision: 6, headerRevision: 11 } },
  { op: 'put', key: 'foo', value: 'post' },
  { op: 'revoke', lease: 0x1234567n, keys: ['leased'] },
  { op: 'delete', key: 'e' },
  { op: 'hash', revision: 0, expected: { hash: 2428436078, compactRevision: 6, headerRevision: 14 } },
  { op: 'compact', revision: 14 },
  { op: 'hash', revision: 0, expected: { hash: 3523223911, compactRevision: 14, headerRevision: 14 } },
  { op: 'hash', revision: 14, expected: { error: 'etcdserver: mvcc: required revision has been compacted' } },
  { op: 'hash', revision: 15, expected: { error: 'etcdserver: mvcc: required revision is a future revision' } },
  { op: 'delete', key: '\x00', end: '\x00' },
  { op: 'hash', revision: 0, expected: { hash: 3092185336, compactRevision: 14, headerRevision: 15 } },
  { op: 'put', key: 'after', value: 'all' },
  { op: 'compact', revision: 16 },
  { op: 'hash', revision: 0, expected: { hash: 3220984198, compactRevision: 16, headerRevision: 16 } },
  { op: 'put', key: 'later', value: '1' },
  { op: 'hash', revision: 17, expected: { hash: 576894668, compactRevision: 16, headerRevision: 17 } },
  { op: 'hash', revision: 16, expected: { error: 'etcdserver: mvcc: required revision has been compacted' } },
];
