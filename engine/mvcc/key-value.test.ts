import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import protobuf from 'protobufjs';
import { seededRandom } from './testing/helpers.ts';
import { decodeKeyValue, encodeKeyValue, type KeyValue, tombstoneKeyValue } from './key-value.ts';

function kv(fields: Partial<KeyValue>): KeyValue {
  return { key: new Uint8Array(0), createRevision: 0, modRevision: 0, version: 0, value: new Uint8Array(0), lease: 0n, ...fields };
}

const foo = new Uint8Array(Buffer.from('foo'));
const bar = new Uint8Array(Buffer.from('bar'));

test('a KeyValue encodes like gogo-protobuf: ascending fields, varints, empty fields omitted', () => {
  const encoded = encodeKeyValue(kv({ key: foo, createRevision: 2, modRevision: 3, version: 1, value: bar }));
  // 0a 03 "foo" | 10 02 | 18 03 | 20 01 | 2a 03 "bar"
  assert.equal(Buffer.from(encoded).toString('hex'), '0a03666f6f' + '1002' + '1803' + '2001' + '2a03626172');
});

test('a tombstone encodes only its key, and an empty KeyValue as no bytes', () => {
  assert.equal(Buffer.from(encodeKeyValue(tombstoneKeyValue(foo))).toString('hex'), '0a03666f6f');
  assert.equal(encodeKeyValue(kv({})).length, 0);
});

test('multi-byte varints, a lease, and a negative lease as a 10-byte varint', () => {
  // 300 = 0b10_0101100 -> ac 02; 4660 = 0x1234 -> b4 24; 2^53 - 1 -> ff x7, 0f.
  const encoded = encodeKeyValue(kv({ createRevision: 300, modRevision: 2 ** 53 - 1, lease: 0x1234n }));
  assert.equal(Buffer.from(encoded).toString('hex'), '10ac02' + '18ffffffffffffff0f' + '30b424');
  const negative = encodeKeyValue(kv({ lease: -1n }));
  assert.equal(Buffer.from(negative).toString('hex'), '30ffffffffffffffffff01');
  assert.equal(decodeKeyValue(negative).lease, -1n);
  const minimum = kv({ lease: -(2n ** 63n) });
  assert.equal(decodeKeyValue(encodeKeyValue(minimum)).lease, -(2n ** 63n));
});

test('a value of 200 bytes gets a two-byte length prefix', () => {
  const value = new Uint8Array(200).fill(7);
  const encoded = encodeKeyValue(kv({ value }));
  assert.deepEqual([...encoded.subarray(0, 3)], [0x2a, 0xc8, 0x01]);
  assert.deepEqual(decodeKeyValue(encoded).value, value);
});

test('decoding round-trips and skips unknown fields', () => {
  const original = kv({ key: foo, createRevision: 7, modRevision: 9, version: 3, value: bar, lease: 123456789012345n });
  const encoded = encodeKeyValue(original);
  assert.deepEqual(decodeKeyValue(encoded), original);
  // field 15 varint (78 05) and field 14 bytes (72 01 ff) appended: ignored.
  const extended = new Uint8Array([...encoded, 0x78, 0x05, 0x72, 0x01, 0xff]);
  assert.deepEqual(decodeKeyValue(extended), original);
  assert.throws(() => decodeKeyValue(encoded.subarray(0, encoded.length - 1)), /truncated/);
});

test('encoding agrees with protobufjs on random KeyValues', () => {
  const root = protobuf.loadSync(path.join(import.meta.dirname, '../proto/etcd/kv.proto'));
  const type = root.lookupType('mvccpb.KeyValue');
  const random = seededRandom(42);
  const randomInt = (): number => [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 40 + 5][Math.floor(random() * 8)]!;
  for (let round = 0; round < 200; round++) {
    const value = kv({
      key: new Uint8Array(Math.floor(random() * 3) * 70).fill(round & 255),
      createRevision: randomInt(),
      modRevision: randomInt(),
      version: randomInt(),
      value: new Uint8Array(Math.floor(random() * 3) * 100).fill(1),
      lease: [0n, 1n, -5n, 2n ** 62n][Math.floor(random() * 4)]!,
    });
    const message: Record<string, unknown> = {};
    if (value.key.length) message.key = value.key;
    if (value.createRevision) message.createRevision = value.createRevision;
    if (value.modRevision) message.modRevision = value.modRevision;
    if (value.version) message.version = value.version;
    if (value.value.length) message.value = value.value;
    if (value.lease) message.lease = value.lease.toString(); // protobufjs parses int64 from a decimal string
    const expected = type.encode(type.fromObject(message)).finish();
    assert.equal(Buffer.from(encodeKeyValue(value)).toString('hex'), Buffer.from(expected).toString('hex'), `round ${round}`);
  }
});
