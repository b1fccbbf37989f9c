import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayText, formatBytes, fromBase64, fromHex, hexDump, isText, toBase64, toHex, utf8Bytes } from './bytes.ts';

test('text detection accepts UTF-8 with newlines and rejects control bytes and invalid UTF-8', () => {
  assert.equal(isText(utf8Bytes('héllo\n\tworld')), true);
  assert.equal(isText(new Uint8Array([0x68, 0x00, 0x69])), false);
  assert.equal(isText(new Uint8Array([0xff, 0xfe])), false);
});

test('hex and base64 round-trip arbitrary bytes', () => {
  const bytes = new Uint8Array([0, 1, 127, 128, 255]);
  assert.equal(toHex(bytes), '00017f80ff');
  assert.deepEqual(fromHex('00 01 7f 80 ff'), bytes);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  assert.equal(fromHex('abc'), undefined);
  assert.equal(fromBase64('not base64!'), undefined);
});

test('a hex dump shows offsets, bytes and printable characters', () => {
  const dump = hexDump(utf8Bytes('ABC\u0000'));
  assert.match(dump, /^00000000 {2}41 42 43 00 +ABC\.$/);
});

test('binary keys display as escaped bytes, text keys as text', () => {
  assert.equal(displayText(new Uint8Array([0x61, 0x00, 0xff])), 'a\\x00\\xff');
  assert.equal(displayText(utf8Bytes('/app/config')), '/app/config');
});

test('sizes read as people expect', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(10 * 1024 * 1024), '10 MiB');
});

test('the range end of a prefix is the next key after every key that starts with it', async () => {
  const { prefixRangeEnd } = await import('./bytes.ts');
  assert.deepEqual(prefixRangeEnd(utf8Bytes('/app/')), utf8Bytes('/app0'));
  assert.deepEqual(prefixRangeEnd(new Uint8Array([0x61, 0xff])), new Uint8Array([0x62]));
  assert.deepEqual(prefixRangeEnd(new Uint8Array()), new Uint8Array([0]));
});
