// The HPACK decoder and encoder against RFC 7541's examples (Appendix C), its error cases, and nghttp2 (inside
// Node's http2 client) as the peer on a real socket: its encoder's blocks, Huffman strings, dynamic table and
// evictions must decode to the headers it was given, and our blocks must reach it unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { HpackDecoder, HpackError, type HeaderField } from './hpack-decoder.ts';
import { encodeHeaderBlock } from './hpack-encoder.ts';
import { staticTable } from './hpack-static-table.ts';
import { frame, hpackInteger, hpackLiteral, hpackString as literal } from '../api/http2-test-support.ts';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test('RFC 7541 C.2: the four representations of one field', () => {
  const decoder = new HpackDecoder();
  assert.deepEqual(decoder.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), [['custom-key', 'custom-header']]);
  assert.equal(decoder.dynamicTableBytes, 55);
  const fresh = new HpackDecoder();
  assert.deepEqual(fresh.decode(hex('040c 2f73 616d 706c 652f 7061 7468')), [[':path', '/sample/path']]);
  assert.deepEqual(fresh.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), [['password', 'secret']]);
  assert.deepEqual(fresh.decode(hex('82')), [[':method', 'GET']]);
  assert.equal(fresh.dynamicTableBytes, 0, 'only incremental indexing adds to the table');
});

const requests: HeaderField[][] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];

test('RFC 7541 C.3 and C.4: three requests on one connection, without and with Huffman coding', () => {
  for (const [blocks, label] of [
    [['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865', '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'], 'C.3'],
    [['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf', '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'], 'C.4'],
  ] as const) {
    const decoder = new HpackDecoder();
    blocks.forEach((block, index) => assert.deepEqual(decoder.decode(hex(block)), requests[index], `${label}.${index + 1}`));
    assert.equal(decoder.dynamicTableBytes, 164, `${label}: table size after the third request`);
  }
});

test('RFC 7541 C.5 and C.6: responses through a 256-octet table, entries evicted oldest first', () => {
  const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
  const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
  const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
  for (const huffman of [false, true]) {
    // The blocks as C.5/C.6 lay them out: literals with incremental indexing naming static entries, then
    // references to the dynamic table (62 = newest).
    const indexed = (nameIndex: number, value: string) => hpackLiteral('incremental', nameIndex, value, { name: false, value: huffman });
    const blocks = [
      Buffer.concat([indexed(8, '302'), indexed(24, 'private'), indexed(33, date1), indexed(46, 'https://www.example.com')]),
      Buffer.concat([indexed(8, '307'), hex('c1 c0 bf')]),
      Buffer.concat([hex('88 c1'), indexed(33, date2), hex('c0'), indexed(26, 'gzip'), indexed(55, cookie)]),
    ];
    const decoder = new HpackDecoder(256);
    // A size update to the table C.5 uses, at the start of the first block.
    decoder.decode(hpackInteger(256, 5, 0x20));
    assert.deepEqual(decoder.decode(blocks[0]!), [[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']]);
    assert.equal(decoder.dynamicTableBytes, 222);
    assert.deepEqual(decoder.decode(blocks[1]!), [[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']]);
    assert.equal(decoder.dynamicTableBytes, 222, ':status 307 evicted :status 302');
    assert.deepEqual(decoder.decode(blocks[2]!), [
      [':status', '200'], ['cache-control', 'private'], ['date', date2], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', cookie],
    ]);
    assert.equal(decoder.dynamicTableBytes, 215);
  }
});

test('malformed blocks are compression errors', () => {
  const cases: Array<[string, Buffer, HpackDecoder?]> = [
    ['index 0', hex('80')],
    ['an index beyond both tables', hex('be')],
    ['a literal naming an index beyond both tables', Buffer.concat([hex('7f 00'), literal('x')])],
    ['a size update after a field', hex('82 3f e1 1f')],
    ['a size update above the advertised size', hpackInteger(4097, 5, 0x20)],
    ['a block ending inside an integer', hex('ff')],
    ['an integer too large', hex('ff ff ff ff ff ff 7f')],
    ['a string longer than the block', hex('00 05 61 62')],
    ['a block ending before a value', Buffer.concat([hex('00'), literal('name')])],
    ['a Huffman string with a bad padding', hex('00 81 00 80')],
  ];
  for (const [name, block] of cases) assert.throws(() => new HpackDecoder().decode(block), HpackError, name);
  // An entry larger than the table empties it and is not added.
  const small = new HpackDecoder(64);
  small.decode(Buffer.concat([hex('40'), literal('a'), literal('b')]));
  assert.equal(small.dynamicTableBytes, 34);
  small.decode(Buffer.concat([hex('40'), literal('long-name'), literal('a value too long for the table')]));
  assert.equal(small.dynamicTableBytes, 0);
  assert.throws(() => small.decode(hex('be')), HpackError, 'the evicted entry is gone');
});

test('the encoder indexes static fields, names static names, and never touches the dynamic table', () => {
  assert.deepEqual(encodeHeaderBlock([[':status', '200']]), hex('88'));
  assert.deepEqual(encodeHeaderBlock([['content-type', 'application/grpc']]), Buffer.concat([hex('0f 10'), literal('application/grpc')]));
  assert.deepEqual(encodeHeaderBlock([['grpc-status', '0']]), Buffer.concat([hex('00'), literal('grpc-status'), literal('0')]));
  const fields: HeaderField[] = [
    [':status', '200'], [':status', '418'], ['content-type', 'application/grpc'], ['grpc-status', '14'],
    ['grpc-message', 'etcdserver: request timed out'], ['x-binary-bin', 'AAEC/w=='], ['www-authenticate', ''],
    ['long', 'v'.repeat(5000)], ['latin1', '\u00ff\u0000\u0080'],
  ];
  const decoder = new HpackDecoder();
  for (let round = 0; round < 3; round++) assert.deepEqual(decoder.decode(encodeHeaderBlock(fields)), fields);
  assert.equal(decoder.dynamicTableBytes, 0);
});

/** Reads HTTP/2 frames from a socket, calling `onFrame` per frame (only as much as these tests need). */
function frameReader(socket: net.Socket, onFrame: (type: number, flags: number, stream: number, payload: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  let prefaceSeen = false;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (!prefaceSeen) {
      if (buffered.length < 24) return;
      buffered = buffered.subarray(24);
      prefaceSeen = true;
    }
    while (buffered.length >= 9 && buffered.length >= 9 + buffered.readUIntBE(0, 3)) {
      const length = buffered.readUIntBE(0, 3);
      onFrame(buffered[3]!, buffered[4]!, buffered.readUInt32BE(5) & 0x7fffffff, buffered.subarray(9, 9 + length));
      buffered = buffered.subarray(9 + length);
    }
  });
}

test("nghttp2's encoder (Node's http2 client) decodes to its headers, and our blocks decode to ours", { timeout: 10_000 }, async () => {
  const decoder = new HpackDecoder();
  const received = new Map<number, HeaderField[]>();
  let block: Buffer[] = [];
  const server = net.createServer((socket) => {
    socket.write(frame(0x4, 0, 0, Buffer.alloc(0)));
    frameReader(socket, (type, flags, stream, payload) => {
      if (type === 0x4 && !(flags & 0x1)) socket.write(frame(0x4, 0x1, 0, Buffer.alloc(0)));
      if (type !== 0x1 && type !== 0x9) return;
      // HEADERS from nghttp2 carry no padding or priority here; CONTINUATION frames add to the block.
      block.push(payload);
      if (!(flags & 0x4)) return;
      const fields = decoder.decode(Buffer.concat(block));
      block = [];
      received.set(stream, fields);
      const reply = encodeHeaderBlock([[':status', '200'], ['content-type', 'application/grpc'], ['echo-count', String(fields.length)], ['x-latin1', '\u00e9t\u00e9']]);
      socket.write(frame(0x1, 0x4 | 0x1, stream, reply));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = http2.connect(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  try {
    // Repeated fields (indexed from the dynamic table), Huffman-friendly text, values that force evictions.
    for (let index = 0; index < 60; index++) {
      const headers = {
        ':method': 'POST', ':path': `/etcdserverpb.KV/${index % 2 ? 'Put' : 'Range'}`, 'content-type': 'application/grpc',
        te: 'trailers', 'user-agent': 'grpc-node-js/1.10.0', 'grpc-timeout': `${index}m`,
        'x-varying': `value-${index}-${'z'.repeat(index * 40)}`, token: 'a.b.c',
      };
      const request = client.request(headers, { endStream: true });
      const [response] = (await once(request, 'response')) as [http2.IncomingHttpHeaders];
      request.resume();
      await once(request, 'end');
      const sent = received.get(request.id!);
      assert.ok(sent, `request ${index} reached the server`);
      for (const [name, value] of Object.entries(headers)) assert.equal(new Map(sent).get(name), value, `request ${index}: ${name}`);
      assert.equal(new Map(sent).get(':scheme'), 'http');
      assert.equal(response[':status'], 200);
      assert.equal(response['content-type'], 'application/grpc');
      assert.equal(response['echo-count'], String(sent.length));
      assert.equal(Buffer.from(response['x-latin1'] as string, 'latin1').toString('hex'), Buffer.from('\u00e9t\u00e9', 'latin1').toString('hex'));
    }
    assert.ok(decoder.dynamicTableBytes > 0 && decoder.dynamicTableBytes <= 4096, 'the client indexed fields, within the default table size');
    // Every static name nghttp2 will send (not the pseudo-headers, not transfer-encoding): it refers to each by its
    // static index, so this checks the whole table against nghttp2's.
    const names = staticTable.map(([name]) => name).filter((name) => !name.startsWith(':') && name !== 'transfer-encoding');
    const request = client.request({ ':method': 'POST', ':path': '/all', ...Object.fromEntries(names.map((name) => [name, `v-${name}`])) }, { endStream: true });
    await once(request, 'response');
    request.resume();
    await once(request, 'end');
    const sent = new Map(received.get(request.id!));
    for (const name of names) assert.equal(sent.get(name), `v-${name}`, name);
  } finally {
    client.close();
    server.close();
  }
});
