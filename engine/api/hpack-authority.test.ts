// Proves the header block walker: it parses RFC 7541's request examples without changing them, rewrites a URL
// :authority in every literal representation (plain or Huffman name and value) while leaving every other byte as it
// was, and never throws on garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repairAuthority, repairAuthorityInHeaderBlock } from './hpack-authority.ts';
import { hpackIndexed, hpackInteger, hpackLiteral, hpackString, type LiteralKind } from './http2-test-support.ts';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test('repairAuthority keeps the authority of a URL and leaves valid authorities alone', () => {
  assert.equal(repairAuthority('http://127.0.0.1:2379'), '127.0.0.1:2379');
  assert.equal(repairAuthority('http://127.0.0.1:2379/'), '127.0.0.1:2379');
  assert.equal(repairAuthority('https://etcd.example:2379/some/path?query#fragment'), 'etcd.example:2379');
  assert.equal(repairAuthority('http://[::1]:2379'), '[::1]:2379');
  assert.equal(repairAuthority('unixs://user@host:1/x'), 'user@host:1');
  assert.equal(repairAuthority('127.0.0.1:2379/prefix'), '127.0.0.1:2379');
  for (const valid of ['127.0.0.1:2379', 'localhost', '[::1]:2379', 'etcd-0.etcd.svc:2379', '']) assert.equal(repairAuthority(valid), undefined, valid);
  // Nothing usable is left, or what is left is still invalid: nghttp2 rejects these as before.
  assert.equal(repairAuthority('unix:///run/etcd.sock'), undefined);
  assert.equal(repairAuthority('http://bad host:1/'), undefined);
});

test('the request examples of RFC 7541 C.3 and C.4 parse and stay unchanged', () => {
  const blocks = [
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ];
  for (const block of blocks) assert.equal(repairAuthorityInHeaderBlock(hex(block)), undefined, block);
});

test('a URL :authority in RFC 7541 C.3.1 is rewritten and nothing else changes', () => {
  // C.3.1 with "http://www.example.com/" instead of "www.example.com".
  const before = Buffer.concat([hex('8286 84'), hpackLiteral('incremental', 1, 'http://www.example.com/')]);
  const after = Buffer.concat([hex('8286 84'), hpackLiteral('incremental', 1, 'www.example.com')]);
  assert.deepEqual(repairAuthorityInHeaderBlock(before), after);
});

test('every literal representation of :authority is rewritten, keeping its kind; other fields are byte-identical', () => {
  const kinds: LiteralKind[] = ['incremental', 'without-indexing', 'never-indexed'];
  const url = 'http://127.0.0.1:23795';
  const other = [
    hpackIndexed(3), // :method POST
    hpackLiteral('incremental', 4, '/etcdserverpb.Maintenance/Status', { name: false, value: true }), // :path
    Buffer.from([0x3f, 0xe1, 0x1f]), // dynamic table size update to 4096
    hpackLiteral('without-indexing', 'grpc-timeout', '4999977u', { name: true, value: true }),
    hpackLiteral('never-indexed', 'authorization', 'http://not-an-authority/', { name: false, value: false }),
    hpackLiteral('incremental', 'x-authority', url),
  ];
  for (const kind of kinds) {
    for (const name of [1, ':authority'] as const) {
      for (const huffmanName of [false, true]) {
        for (const huffmanValue of [false, true]) {
          const huffman = { name: huffmanName, value: huffmanValue };
          const field = hpackLiteral(kind, name, url, huffman);
          const repaired = hpackLiteral(kind, name, '127.0.0.1:23795', { name: huffmanName, value: false });
          const label = `${kind} ${name} ${JSON.stringify(huffman)}`;
          assert.deepEqual(repairAuthorityInHeaderBlock(Buffer.concat([...other.slice(0, 3), field, ...other.slice(3)])),
            Buffer.concat([...other.slice(0, 3), repaired, ...other.slice(3)]), label);
        }
      }
    }
  }
});

test('integers and lengths that need continuation bytes are read and written correctly', () => {
  const longUrl = `http://${'a'.repeat(300)}:2379/${'p'.repeat(50)}`;
  const longAuthority = `${'a'.repeat(300)}:2379`;
  // Name index 20 needs a continuation byte with the 4-bit prefix; the value lengths need them with 7 bits.
  const before = Buffer.concat([hpackLiteral('without-indexing', 20, 'x'), hpackLiteral('without-indexing', 1, longUrl)]);
  const after = Buffer.concat([hpackLiteral('without-indexing', 20, 'x'), hpackLiteral('without-indexing', 1, longAuthority)]);
  assert.deepEqual(hpackInteger(20, 4), Buffer.from([0x0f, 0x05]));
  assert.deepEqual(repairAuthorityInHeaderBlock(before), after);
});

test('two URL :authority fields in one block are both rewritten', () => {
  const before = Buffer.concat([hpackLiteral('incremental', 1, 'http://a:1'), hpackIndexed(2), hpackLiteral('never-indexed', 1, 'https://b:2/')]);
  const after = Buffer.concat([hpackLiteral('incremental', 1, 'a:1'), hpackIndexed(2), hpackLiteral('never-indexed', 1, 'b:2')]);
  assert.deepEqual(repairAuthorityInHeaderBlock(before), after);
});

test('truncated, malformed and random blocks are reported as unchanged, never thrown on', () => {
  const good = Buffer.concat([hpackIndexed(2), hpackLiteral('incremental', 1, 'http://127.0.0.1:2379', { name: false, value: true })]);
  for (let end = 0; end < good.length; end++) assert.equal(repairAuthorityInHeaderBlock(good.subarray(0, end)), undefined, `cut at ${end}`);
  // A Huffman value with invalid padding cannot be decoded, so it is left for nghttp2.
  assert.equal(repairAuthorityInHeaderBlock(Buffer.concat([Buffer.from([0x41, 0x81, 0x00])])), undefined);
  assert.equal(repairAuthorityInHeaderBlock(Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])), undefined, 'an oversized integer');
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff;
  for (let round = 0; round < 2000; round++) {
    const block = Buffer.from(Array.from({ length: 1 + (round % 40) }, random));
    assert.doesNotThrow(() => repairAuthorityInHeaderBlock(block));
  }
  assert.deepEqual(hpackString('ab'), Buffer.from([0x02, 0x61, 0x62]));
});
