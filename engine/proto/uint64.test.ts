import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uint64Long, uint64Value } from './uint64.ts';
import { messageType, protoConversionOptions } from './load.ts';

test('a uint64 Long encodes exactly as the decimal string it replaces, across the 2^53 and 2^63 boundaries', () => {
  const type = messageType('etcdserverpb.ResponseHeader');
  for (const value of [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n + 5n, 2n ** 64n - 1n]) {
    const fromString = type.encode({ member_id: value.toString() }).finish();
    const fromLong = type.encode({ member_id: uint64Long(value) }).finish();
    assert.deepEqual(Buffer.from(fromLong), Buffer.from(fromString));
    const decoded = type.toObject(type.decode(fromLong), protoConversionOptions) as { member_id: string };
    assert.equal(decoded.member_id, value.toString());
    assert.equal(uint64Value(uint64Long(value)), value);
    assert.equal(uint64Value(decoded.member_id), value);
  }
  assert.equal(uint64Value(undefined), 0n);
  assert.equal(uint64Value(42), 42n);
});
