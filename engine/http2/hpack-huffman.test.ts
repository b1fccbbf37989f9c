// Proves the canonical Huffman decoder against RFC 7541's own examples and code table, and that it rejects the
// encodings RFC 7541 5.2 says a decoder must treat as errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { huffmanCode, huffmanDecode } from './hpack-huffman.ts';
import { huffmanEncode as huffmanEncodeForTest } from '../api/http2-test-support.ts';

// (RFC 7541 C.4.1's www.example.com is 12 bytes, f1e3 c2e5 f23a 6ba0 ab90 f4ff; 15 characters cannot fit in 8.)
test('decodes the Huffman-coded strings of RFC 7541 C.4 and C.6', () => {
  const examples: Array<[string, string]> = [
    ['f1e3c2e5f23a6ba0ab90f4ff', 'www.example.com'],
    ['a8eb10649cbf', 'no-cache'],
    ['25a849e95ba97d7f', 'custom-key'],
    ['25a849e95bb8e8b4bf', 'custom-value'],
    ['6402', '302'],
    ['aec3771a4b', 'private'],
    ['d07abe941054d444a8200595040b8166e082a62d1bff', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['9d29ad171863c78f0b97c8e9ae82ae43d3', 'https://www.example.com'],
  ];
  for (const [hex, text] of examples) assert.equal(huffmanDecode(Buffer.from(hex, 'hex'))?.toString('latin1'), text, text);
});

test('rebuilds the codes printed in RFC 7541 Appendix B from the code lengths alone', () => {
  assert.deepEqual(huffmanCode(0), [0x1ff8, 13]);
  assert.deepEqual(huffmanCode('0'.charCodeAt(0)), [0x0, 5]);
  assert.deepEqual(huffmanCode('a'.charCodeAt(0)), [0x3, 5]);
  assert.deepEqual(huffmanCode(' '.charCodeAt(0)), [0x14, 6]);
  assert.deepEqual(huffmanCode(':'.charCodeAt(0)), [0x5c, 7]);
  assert.deepEqual(huffmanCode('&'.charCodeAt(0)), [0xf8, 8]);
  assert.deepEqual(huffmanCode(255), [0x3ffffee, 26]);
  assert.deepEqual(huffmanCode(256), [0x3fffffff, 30]);
});

test('round-trips every byte value, alone and in one long string', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
  for (const byte of all) assert.deepEqual(huffmanDecode(huffmanEncodeForTest(Buffer.from([byte]))), Buffer.from([byte]));
  assert.deepEqual(huffmanDecode(huffmanEncodeForTest(all)), all);
  assert.deepEqual(huffmanDecode(Buffer.alloc(0)), Buffer.alloc(0));
});

test('rejects padding longer than 7 bits, padding that is not all ones, and an encoded EOS', () => {
  // "0" is 00000 then three padding ones: 0x07 is valid; 0x06 has a zero in its padding.
  assert.deepEqual(huffmanDecode(Buffer.from([0x07])), Buffer.from('0'));
  assert.equal(huffmanDecode(Buffer.from([0x06])), undefined);
  assert.equal(huffmanDecode(Buffer.from([0x07, 0xff])), undefined, 'a whole byte of padding');
  assert.equal(huffmanDecode(Buffer.from([0xff, 0xff, 0xff, 0xff])), undefined, 'the 30-bit EOS code');
});
