import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageType, protoConversionOptions } from '../proto/load.ts';
import type { InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import { decodeInternalRequest, encodeInternalRequest, encodeProposedRequest } from './internal-request.ts';
import { seededRandom } from '../mvcc/testing/helpers.ts';

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
  for (const sample of samples.slice(0, 3)) {
    const request = clientShaped(sample);
    const { header: _header, ...client } = request;
    const bytes = encodeProposedRequest(client, { id: 18446744073709551615n, username: 'root', authRevision: 12 });
    const proposed = decodeInternalRequest(bytes);
    assert.equal(proposed.put ?? proposed.delete_range ?? proposed.txn, request.put ?? request.delete_range ?? request.txn);
    const decoded = decodeInternalRequest(Buffer.from(bytes));
    assert.notEqual(decoded, proposed);
    assert.deepEqual(decoded, clientShaped({ ...sample, header: { ID: '18446744073709551615', username: 'root', auth_revision: '12' } }));
  }
});

test('hand-written puts and deletes decode exactly as protobufjs encodes them (random requests)', () => {
  const next = seededRandom(20261123);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const bytes = (): Buffer => Buffer.from(Array.from({ length: pick([0, 1, 5, 127, 128, 300, 20_000]) }, () => Math.floor(next() * 256)));
  const int64 = (): string => pick(['0', '1', '127', '128', '16384', '-1', '-9223372036854775808', '9223372036854775807', String(Math.floor(next() * 2 ** 53))]);
  const uint64 = (): bigint => pick([0n, 1n, 300n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, BigInt(Math.floor(next() * 2 ** 53)) * 2048n]);
  const type = messageType('cairnpb.InternalRaftRequest');
  for (let round = 0; round < 500; round++) {
    const header = { id: uint64(), username: pick(['', 'root', 'ü-ser', 'x'.repeat(200)]), authRevision: pick([0, 1, 200, 2 ** 31, 2 ** 40]) };
    const client = next() < 0.5
      ? { put: { key: bytes(), value: bytes(), lease: int64(), prev_kv: next() < 0.5, ignore_value: next() < 0.5, ignore_lease: next() < 0.5 } }
      : { delete_range: { key: bytes(), range_end: bytes(), prev_kv: next() < 0.5 } };
    const shaped = clientShaped(client);
    const { header: _none, ...request } = shaped;
    const written = encodeProposedRequest(request, header);
    const expected = type.encode(type.fromObject({ ...client, header: { ID: header.id.toString(), username: header.username, auth_revision: String(header.authRevision) } })).finish();
    const decode = (data: Uint8Array) => type.toObject(type.decode(data), protoConversionOptions);
    assert.deepEqual(decode(written), decode(expected), `round ${round}`);
  }
});
