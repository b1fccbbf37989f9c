import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from './crc32c.ts';

test('crc32c matches the published Castagnoli check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  // RFC 3720 (iSCSI) appendix B.4 test vectors.
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
});

test('crc32c over a range equals crc32c of the slice, and seeding continues a checksum', () => {
  const data = Buffer.from('the quick brown fox jumps over the lazy dog, twice over');
  assert.equal(crc32c(data, 4, 30), crc32c(data.subarray(4, 30)));
  for (let split = 0; split <= data.length; split++) {
    const first = crc32c(data, 0, split);
    assert.equal(crc32c(data, split, data.length, first), crc32c(data), `split at ${split}`);
  }
});
