// grpc-timeout values as grpc-js reads them, with deadlines beyond setTimeout's range kept at its limit (a
// longer delay would make Node fire the timer at once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authContextOf, grpcTimeoutMs } from './grpc-call-context.ts';

test('grpc-timeout units, invalid values, and deadlines beyond the timer range', () => {
  assert.equal(grpcTimeoutMs('5S'), 5_000);
  assert.equal(grpcTimeoutMs('250m'), 250);
  assert.equal(grpcTimeoutMs('2M'), 120_000);
  assert.equal(grpcTimeoutMs('1500u'), 1.5);
  assert.equal(grpcTimeoutMs('99999999H'), 2 ** 31 - 1);
  for (const invalid of ['', '5', 'S', '123456789S', '5s', '-1S', '1.5S']) assert.equal(grpcTimeoutMs(invalid), undefined, invalid);
});

test('plaintext calls have no TLS identity', () => {
  assert.deepEqual(authContextOf(undefined), {});
  assert.deepEqual(authContextOf({ authorized: true }), {});
});
