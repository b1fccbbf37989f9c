import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue, WatchEvent } from '../../../electron/common/contract.ts';
import { pushBounded, toRows } from './watch.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const kv = (key: string, value: Uint8Array, revision: number): KeyValue => ({ key: bytes(key), value, valueSize: value.length, valueTruncated: false, createRevision: 1, modRevision: revision, version: 1, lease: '0' });

test('events become rows with safe previews: binary values are escaped, deletes have no value', () => {
  const events: WatchEvent[] = [
    { type: 'put', kv: kv('a', new Uint8Array([0, 255]), 5), prevKv: kv('a', bytes('old'), 4) },
    { type: 'delete', kv: kv('b', new Uint8Array(), 6), prevKv: null },
  ];
  const rows = toRows(events, 10, 0);
  assert.deepEqual(rows.map((row) => [row.seq, row.type, row.key, row.value, row.prevValue]), [[10, 'put', 'a', '\\x00\\xff', 'old'], [11, 'delete', 'b', '', null]]);
});

test('the buffer keeps the newest rows first and drops the oldest beyond its bound', () => {
  const make = (seq: number) => toRows([{ type: 'put', kv: kv(`k${seq}`, bytes('v'), seq), prevKv: null }], seq, 0)[0]!;
  let buffer = pushBounded([], [make(1), make(2)], 3).buffer;
  const result = pushBounded(buffer, [make(3), make(4)], 3);
  buffer = result.buffer;
  assert.deepEqual(buffer.map((row) => row.seq), [4, 3, 2]);
  assert.equal(result.dropped, 1);
});
