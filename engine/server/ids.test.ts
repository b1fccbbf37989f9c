// Proves member and cluster IDs match etcd's for the same flags, and request IDs are unique and prefixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeClusterId, computeMemberId, formatId, RequestIdGenerator } from './ids.ts';

test('etcd\'s default single member (peer http://localhost:2380, token etcd-cluster) gets etcd\'s IDs', () => {
  const memberId = computeMemberId(['http://localhost:2380'], 'etcd-cluster');
  assert.equal(formatId(memberId), '8e9e05c52164694d');
  assert.equal(formatId(computeClusterId([memberId])), 'cdf818194e3a8c32');
});

test('the member ID ignores the order of peer URLs and depends on the token and the add time', () => {
  const urls = ['http://10.0.0.2:2380', 'http://10.0.0.1:2380'];
  const id = computeMemberId(urls, 'token');
  assert.equal(computeMemberId([...urls].reverse(), 'token'), id);
  assert.notEqual(computeMemberId(urls, 'other-token'), id);
  assert.notEqual(computeMemberId(urls, 'token', 1_700_000_000), id);
  assert.equal(computeMemberId(urls, 'token', 1_700_000_000), computeMemberId(urls, 'token', 1_700_000_000));
});

test('the cluster ID does not depend on the order of member IDs', () => {
  const ids = [3n, 0xffffffffffffffffn, 1n];
  assert.equal(computeClusterId(ids), computeClusterId([...ids].reverse()));
  assert.notEqual(computeClusterId(ids), computeClusterId([3n, 1n]));
});

test('formatId prints lower-case hex without leading zeros', () => {
  assert.equal(formatId(0x0abcn), 'abc');
  assert.equal(formatId(0xffffffffffffffffn), 'ffffffffffffffff');
});

test('request IDs carry the member ID\'s low 16 bits, then the start time, then an increasing counter', () => {
  const generator = new RequestIdGenerator(0x1234_5678_9abc_def0n, 0x12_3456_789a);
  const first = generator.next();
  const second = generator.next();
  assert.equal(first >> 48n, 0xdef0n);
  assert.equal((first >> 8n) & 0xff_ffff_ffffn, 0x12_3456_789an);
  assert.equal(first & 0xffn, 1n);
  assert.equal(second, first + 1n);
  // Two members started at the same millisecond never collide: their prefixes differ.
  const other = new RequestIdGenerator(0x1n, 0x12_3456_789a).next();
  assert.notEqual(other, first);
});
