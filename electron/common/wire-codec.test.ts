// The browser-mode wire format keeps bytes as bytes, including Buffers (whose toJSON would otherwise win).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, bytesToBase64, decodeWire, encodeWire, fromUtf8, isUtf8, utf8 } from './wire-codec.ts';

test('bytes survive the wire as Uint8Array, at any depth, with every byte value', () => {
  const all = Uint8Array.from({ length: 256 }, (_, index) => index);
  const decoded = decodeWire(encodeWire({ list: [{ key: all }], buffer: Buffer.from('hi'), text: 'x' })) as { list: Array<{ key: Uint8Array }>; buffer: Uint8Array; text: string };
  assert.deepEqual([...decoded.list[0]!.key], [...all]);
  assert.ok(decoded.buffer instanceof Uint8Array);
  assert.equal(fromUtf8(decoded.buffer), 'hi');
  assert.equal(decoded.text, 'x');
});

test('large values encode in chunks and invalid base64 is refused', () => {
  const large = new Uint8Array(300_000).fill(7);
  assert.equal(base64ToBytes(bytesToBase64(large))!.length, 300_000);
  assert.throws(() => decodeWire('{"$bytes":"***"}'), /invalid base64/);
});

test('UTF-8 helpers tell text from binary', () => {
  assert.equal(isUtf8(utf8('héllo')), true);
  assert.equal(isUtf8(new Uint8Array([0xff, 0xfe])), false);
});
