import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Crc32c, crc32c } from './crc32c.ts';

test('CRC-32C of "123456789" is the Castagnoli check value 0xE3069283', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test('CRC-32C of 32 zero bytes and 32 0xFF bytes match RFC 3720 test vectors', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
});

test('a checksum over several writes equals the checksum of their concatenation', () => {
  const data = Uint8Array.from({ length: 1000 }, (_, index) => (index * 31 + 7) & 255);
  for (const split of [0, 1, 7, 8, 9, 500, 999]) {
    const running = new Crc32c().update(data.subarray(0, split)).update(data.subarray(split));
    assert.equal(running.digest(), crc32c(data), `split at ${split}`);
  }
});
