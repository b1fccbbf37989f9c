import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from '../common/assert.ts';
import { decodeLeaseRecord, encodeLeaseRecord, leaseIdOfKey, leaseKey } from './lease-record.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('records encode as etcd leasepb.Lease bytes', () => {
  // leasepb.Lease{ID: 1, TTL: 10} and {ID: 0x1234, TTL: 300, RemainingTTL: 150}, as gogoproto marshals them.
  assert.equal(hex(encodeLeaseRecord({ id: 1n, ttlSeconds: 10, remainingTtlSeconds: 0 })), '0801100a');
  assert.equal(hex(encodeLeaseRecord({ id: 0x1234n, ttlSeconds: 300, remainingTtlSeconds: 150 })), '08b42410ac02189601');
});

test('keys are 8-byte big-endian IDs, negative IDs in two complement', () => {
  assert.equal(hex(leaseKey(0x0102030405060708n)), '0102030405060708');
  assert.equal(hex(leaseKey(-2n)), 'fffffffffffffffe');
  assert.equal(leaseIdOfKey(leaseKey(-2n)), -2n);
  assert.throws(() => leaseKey(1n << 63n), AssertionError);
});

test('records round-trip, including a negative ID (ten-byte varint)', () => {
  for (const record of [
    { id: 7587862072529786118n, ttlSeconds: 9_000_000_000, remainingTtlSeconds: 12 },
    { id: -5n, ttlSeconds: 60, remainingTtlSeconds: 0 },
  ]) {
    const bytes = encodeLeaseRecord(record);
    assert.deepEqual(decodeLeaseRecord(leaseKey(record.id), bytes), record);
  }
  assert.equal(encodeLeaseRecord({ id: -5n, ttlSeconds: 60, remainingTtlSeconds: 0 }).length, 1 + 10 + 2);
});

test('unknown fields written by a newer etcd are skipped', () => {
  const known = encodeLeaseRecord({ id: 9n, ttlSeconds: 5, remainingTtlSeconds: 0 });
  const extra = Uint8Array.from([...known, 0x22, 0x02, 0x61, 0x62, 0x2d, 1, 2, 3, 4]); // field 4 bytes, field 5 fixed32
  assert.deepEqual(decodeLeaseRecord(leaseKey(9n), extra), { id: 9n, ttlSeconds: 5, remainingTtlSeconds: 0 });
});

test('corrupt records stop the member with the lease named', () => {
  const bytes = encodeLeaseRecord({ id: 9n, ttlSeconds: 5, remainingTtlSeconds: 0 });
  assert.throws(() => decodeLeaseRecord(leaseKey(10n), bytes), /lease a .*holds ID 9/);
  assert.throws(() => decodeLeaseRecord(leaseKey(9n), bytes.subarray(0, 3)), /truncated varint/);
  assert.throws(() => decodeLeaseRecord(leaseKey(9n), Uint8Array.from([0x08, 0x09, 0x12, 0x01, 0x05])), /wire type 2/);
  const negativeRemaining = [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.throws(() => decodeLeaseRecord(leaseKey(9n), Uint8Array.from([0x08, 0x09, ...negativeRemaining])), /invalid remaining TTL -1/);
  assert.throws(() => encodeLeaseRecord({ id: 0n, ttlSeconds: 5, remainingTtlSeconds: 0 }), AssertionError);
  assert.throws(() => encodeLeaseRecord({ id: 1n, ttlSeconds: 1.5, remainingTtlSeconds: 0 }), AssertionError);
});
