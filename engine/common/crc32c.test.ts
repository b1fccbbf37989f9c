import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, crc32cTables } from './crc32c.ts';

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

test('the hardware and the table implementations agree on every length, offset and seed', () => {
  let state = 0x9e3779b9;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const data = Buffer.alloc(70_000);
  for (let position = 0; position < data.length; position++) data[position] = next() & 0xff;
  for (let round = 0; round < 300; round++) {
    const start = next() % 1_000;
    // Lengths on both sides of the hardware threshold, up to tens of kilobytes.
    const length = round % 3 === 0 ? next() % 600 : next() % (data.length - start);
    const seed = next();
    assert.equal(crc32c(data, start, start + length, seed), crc32cTables(data, start, start + length, seed), `start ${start}, length ${length}`);
  }
  assert.equal(crc32c(data), crc32cTables(data));
});
