// Checks the hand-written Put codec against protobufjs on random messages: requests (with unknown fields,
// repeated fields and every int64 edge) read to exactly what proto-loader's deserializer gives, and responses
// written by hand decode to what the generic serializer's bytes decode to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { messageType, protoConversionOptions } from '../proto/load.ts';
import { readPutRequest, writePutResponseFrame } from './put-codec.ts';
import type { PutResponse } from '../proto/generated/etcdserverpb/PutResponse.ts';
import { seededRandom } from '../mvcc/testing/helpers.ts';

const requestType = messageType('etcdserverpb.PutRequest');
const responseType = messageType('etcdserverpb.PutResponse');
const genericRead = (bytes: Uint8Array) => requestType.toObject(requestType.decode(bytes), protoConversionOptions);

test('Put requests read by hand as proto-loader reads them (random requests, unknown and repeated fields)', () => {
  const next = seededRandom(7);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const bytes = (): Buffer => Buffer.from(Array.from({ length: pick([0, 1, 127, 128, 300, 70_000]) }, () => Math.floor(next() * 256)));
  const int64 = (): string => pick(['0', '1', '127', '128', '4294967295', '4294967296', '-1', '-9223372036854775808', '9223372036854775807', String(Math.floor(next() * 2 ** 53))]);
  for (let round = 0; round < 400; round++) {
    const writer = protobuf.Writer.create();
    const fields = Math.floor(next() * 9);
    for (let i = 0; i < fields; i++) {
      switch (pick(['key', 'value', 'lease', 'flag', 'unknown-varint', 'unknown-bytes', 'unknown-fixed'])) {
        case 'key': writer.uint32(0x0a).bytes(bytes()); break;
        case 'value': writer.uint32(0x12).bytes(bytes()); break;
        case 'lease': writer.uint32(0x18).int64(int64()); break;
        case 'flag': writer.uint32(pick([0x20, 0x28, 0x30])).bool(next() < 0.5); break;
        case 'unknown-varint': writer.uint32(0x38).int64(int64()); break;
        case 'unknown-bytes': writer.uint32((99 << 3) | 2).bytes(bytes()); break;
        case 'unknown-fixed': writer.uint32((12 << 3) | 1).fixed64(5).uint32((13 << 3) | 5).fixed32(7); break;
      }
    }
    const encoded = Buffer.from(writer.finish());
    const read = readPutRequest(encoded);
    assert.ok(read, `round ${round}: left to the generic reader: ${encoded.toString("hex")}`);
    assert.deepEqual(read, genericRead(encoded), `round ${round}`);
  }
});

test('a request the hand reader cannot take (truncated, a group) is left to the generic reader', () => {
  assert.equal(readPutRequest(Buffer.from([0x0a, 0x05, 0x61])), undefined);
  assert.equal(readPutRequest(Buffer.from([0x1b, 0x1c])), undefined);
  assert.deepEqual(readPutRequest(Buffer.alloc(0)), genericRead(Buffer.alloc(0)));
});

test('Put responses written by hand decode as the generic serializer\'s do; prev_kv is left to it', () => {
  const next = seededRandom(11);
  const Long = protobuf.util.Long as unknown as { fromString(text: string, unsigned: boolean): unknown };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const uint64 = (): unknown => pick([0, 1, 300, 2 ** 40, '0', '18446744073709551615', Long.fromString('18446744073709551615', true), Long.fromString('1311768467463790320', true)]);
  for (let round = 0; round < 300; round++) {
    const response = { header: { cluster_id: uint64(), member_id: uint64(), revision: pick([0, 1, 2 ** 31, 2 ** 52]), raft_term: pick([0, 2, 300]) } } as PutResponse;
    const frame = writePutResponseFrame(response)!;
    assert.equal(frame[0], 0);
    assert.equal(frame.readUInt32BE(1), frame.length - 5);
    const generic = responseType.encode(responseType.fromObject(response as Record<string, unknown>)).finish();
    const decode = (bytes: Uint8Array) => responseType.toObject(responseType.decode(bytes), protoConversionOptions);
    assert.deepEqual(decode(frame.subarray(5)), decode(generic), `round ${round}`);
  }
  assert.equal(writePutResponseFrame({ header: {}, prev_kv: { key: Buffer.from('k') } }), undefined);
});
