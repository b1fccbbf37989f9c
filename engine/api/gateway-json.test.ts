// Proves the gateway's JSON conversion follows grpc-gateway as etcd configures it: proto and lowerCamelCase
// names accepted, unknown fields ignored, int64 as strings, bytes as base64, enums by name, defaults omitted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageType } from '../proto/load.ts';
import { requestFromJson, responseToJson } from './gateway-json.ts';
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';

const base64 = (text: string) => Buffer.from(text).toString('base64');

test('requests accept proto names and lowerCamelCase names alike', () => {
  const type = messageType('etcdserverpb.RangeRequest');
  const snake = requestFromJson<RangeRequest__Output>(type, { key: base64('a'), range_end: base64('z'), keys_only: true, sort_order: 'DESCEND', limit: '5' });
  const camel = requestFromJson<RangeRequest__Output>(type, { key: base64('a'), rangeEnd: base64('z'), keysOnly: true, sortOrder: 'DESCEND', limit: 5 });
  assert.deepEqual(camel, snake);
  assert.equal(Buffer.from(snake.range_end).toString(), 'z');
  assert.equal(snake.keys_only, true);
  assert.equal(snake.sort_order, 2, 'enums reach handlers as numbers');
  assert.equal(snake.limit, '5', 'int64 reaches handlers as a decimal string');
});

test('camelCase names are converted inside nested and repeated messages', () => {
  const type = messageType('etcdserverpb.TxnRequest');
  const request = requestFromJson<TxnRequest__Output>(type, {
    compare: [{ key: base64('k'), target: 'MOD', result: 'LESS', modRevision: '9' }],
    success: [{ requestPut: { key: base64('k'), value: base64('v'), prevKv: true } }],
    failure: [{ requestRange: { key: base64('k'), countOnly: true } }],
  });
  assert.equal(request.compare[0]!.mod_revision, '9');
  assert.equal(request.compare[0]!.target, 2);
  assert.equal(request.compare[0]!.result, 2);
  assert.equal(request.success[0]!.request, 'request_put');
  assert.equal(request.success[0]!.request_put!.prev_kv, true);
  assert.equal(request.failure[0]!.request_range!.count_only, true);
});

test('unknown request fields are ignored, not rejected', () => {
  const type = messageType('etcdserverpb.RangeRequest');
  const request = requestFromJson<RangeRequest__Output>(type, { key: base64('a'), noSuchField: 1, also_unknown: { x: 1 } });
  assert.equal(Buffer.from(request.key).toString(), 'a');
  assert.equal('noSuchField' in request, false);
  // A missing body is an empty request with defaults.
  const empty = requestFromJson<RangeRequest__Output>(type, undefined);
  assert.equal(empty.key.length, 0);
  assert.equal(empty.limit, '0');
});

test('responses use proto names, int64 as strings, bytes as base64 and omit default values', () => {
  const type = messageType('etcdserverpb.RangeResponse');
  const json = responseToJson(type, {
    header: { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: 7, raft_term: 2 },
    kvs: [{ key: Buffer.from('k'), value: Buffer.from('v'), create_revision: 7, mod_revision: 7, version: 1, lease: '0' }],
    more: false,
    count: 1,
  });
  assert.deepEqual(json, {
    header: { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: '7', raft_term: '2' },
    kvs: [{ key: base64('k'), value: base64('v'), create_revision: '7', mod_revision: '7', version: '1' }],
    count: '1',
  });
});

test('an empty response renders as {} (every default omitted)', () => {
  assert.deepEqual(responseToJson(messageType('etcdserverpb.DeleteRangeResponse'), { header: {}, deleted: 0, prev_kvs: [] }), { header: {} });
});

test('enums are rendered by name, and an enum at its zero value is omitted', () => {
  const type = messageType('etcdserverpb.AlarmResponse');
  const json = responseToJson(type, { header: {}, alarms: [{ memberID: '5', alarm: 1 }, { memberID: '6', alarm: 0 }] });
  assert.deepEqual(json, { header: {}, alarms: [{ memberID: '5', alarm: 'NOSPACE' }, { memberID: '6' }] });
});
