import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageType, protoConversionOptions } from '../proto/load.ts';
import type { InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import { decodeInternalRequest, encodeInternalRequest, encodeProposedRequest } from './internal-request.ts';

/** A request in the gRPC layer's shape: built from a partial object by protobufjs, as proto-loader does. */
function clientShaped(partial: Record<string, unknown>): InternalRaftRequest__Output {
  const type = messageType('cairnpb.InternalRaftRequest');
  return type.toObject(type.fromObject(partial), protoConversionOptions) as InternalRaftRequest__Output;
}

const samples: Array<Record<string, unknown>> = [
  { header: { ID: '18446744073709551615' }, put: { key: Buffer.from('a'), value: Buffer.alloc(300, 7), lease: '7587869405498311000', prev_kv: true } },
  { header: { ID: '2' }, delete_range: { key: Buffer.from('a'), range_end: Buffer.from([0]), prev_kv: true } },
  {
    header: { ID: '3' },
    txn: {
      compare: [{ result: 1, target: 2, key: Buffer.from('k'), range_end: Buffer.from('l'), mod_revision: '9007199254740993' }],
      success: [{ request_put: { key: Buffer.from('k'), value: Buffer.from('v') } }, { request_txn: { success: [{ request_range: { key: Buffer.from('x'), limit: '5' } }] } }],
      failure: [{ request_delete_range: { key: Buffer.from('k') } }],
    },
  },
  { header: { ID: '4' }, lease_grant: { ID: '-1', TTL: '60' } },
];

test('requests encode directly (no fromObject) to bytes that decode to the same request', () => {
  for (const sample of samples) {
    const request = clientShaped(sample);
    const viaFromObject = messageType('cairnpb.InternalRaftRequest').encode(messageType('cairnpb.InternalRaftRequest').fromObject(sample)).finish();
    const direct = encodeInternalRequest(request);
    assert.deepEqual(decodeInternalRequest(direct.slice()), decodeInternalRequest(viaFromObject));
  }
});

test('a proposed request is applied from the object it was proposed with; a copy of its bytes is decoded', () => {
  const request = clientShaped(samples[0]!);
  const bytes = encodeProposedRequest(request);
  assert.equal(decodeInternalRequest(bytes), request);
  const decoded = decodeInternalRequest(Buffer.from(bytes));
  assert.notEqual(decoded, request);
  assert.deepEqual(decoded, request);
});
