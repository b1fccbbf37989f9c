// Proves the client->server frame filter: it reassembles frames across any chunk boundaries, passes every frame
// through byte for byte except header blocks with a URL :authority, which become one HEADERS frame (CONTINUATIONs
// merged, padding dropped, PRIORITY and END_STREAM kept), and hands on unchanged input without copying it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http2HeaderBlockBytesMax } from '../common/limits.ts';
import { Http2RequestFilter, headersFrames } from './http2-request-filter.ts';
import { clientPrefaceForTest, frame, hpackIndexed, hpackLiteral } from './http2-test-support.ts';

const DATA = 0x0;
const HEADERS = 0x1;
const SETTINGS = 0x4;
const PING = 0x6;
const WINDOW_UPDATE = 0x8;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

const url = 'http://127.0.0.1:23795';
const authority = '127.0.0.1:23795';
/** A gRPC request's header block as grpc-go sends it, with the :authority value given. */
const requestBlock = (value: string, huffman = true): Buffer => Buffer.concat([
  hpackIndexed(3), hpackIndexed(6),
  hpackLiteral('incremental', 4, '/etcdserverpb.Maintenance/Status', { name: false, value: true }),
  hpackLiteral('incremental', 1, value, { name: false, value: huffman }),
  hpackLiteral('incremental', 'content-type', 'application/grpc', { name: true, value: true }),
]);
const settings = frame(SETTINGS, 0, 0, Buffer.from([0, 4, 0, 0x40, 0, 0]));
const windowUpdate = frame(WINDOW_UPDATE, 0, 0, Buffer.from([0, 0x0e, 0xff, 0x01]));
const data = (streamId: number) => frame(DATA, END_STREAM, streamId, Buffer.from('\0\0\0\0\x02\x08\x01', 'latin1'));
const ping = frame(PING, 0, 0, Buffer.alloc(8, 7));

/** Runs `input` through a filter in the given chunks and returns what it emitted, joined, and the emitted pieces. */
function filter(chunks: Buffer[]): { output: Buffer; pieces: Buffer[] } {
  const pieces: Buffer[] = [];
  const instance = new Http2RequestFilter((bytes) => pieces.push(bytes));
  for (const chunk of chunks) instance.write(chunk);
  return { output: Buffer.concat(pieces), pieces };
}

/** Every way to cut `input` in two, plus one byte at a time. */
function splits(input: Buffer): Buffer[][] {
  const ways: Buffer[][] = [];
  for (let cut = 0; cut <= input.length; cut++) ways.push([input.subarray(0, cut), input.subarray(cut)]);
  ways.push(Array.from(input, (byte) => Buffer.from([byte])));
  return ways;
}

function assertAtEverySplit(input: Buffer, expected: Buffer): void {
  for (const chunks of splits(input)) {
    const { output } = filter(chunks);
    assert.deepEqual(output, expected, `chunks of ${chunks.map((chunk) => chunk.length).join('+')} bytes`);
  }
}

test('a connection whose :authority is valid passes through unchanged at every chunk boundary, uncopied when whole', () => {
  const input = Buffer.concat([clientPrefaceForTest, settings, windowUpdate, frame(HEADERS, END_HEADERS, 1, requestBlock(authority)), data(1), ping]);
  assertAtEverySplit(input, input);
  const { pieces } = filter([input]);
  assert.equal(pieces.length, 1);
  assert.equal(pieces[0], input, 'the chunk itself is handed on');
});

test('a HEADERS frame with a URL :authority is rewritten at every chunk boundary; other frames are untouched', () => {
  const before = frame(HEADERS, END_HEADERS, 1, requestBlock(url));
  const after = frame(HEADERS, END_HEADERS, 1, requestBlock(authority, false));
  const rest = Buffer.concat([data(1), frame(HEADERS, END_HEADERS | END_STREAM, 3, Buffer.concat([hpackIndexed(3), hpackIndexed(63)])), ping]);
  const head = Buffer.concat([clientPrefaceForTest, settings, windowUpdate]);
  assertAtEverySplit(Buffer.concat([head, before, rest]), Buffer.concat([head, after, rest]));
});

test('CONTINUATION frames, padding and the PRIORITY fields: one HEADERS frame with END_HEADERS, priority and END_STREAM kept', () => {
  const block = requestBlock(url);
  const priority = Buffer.from([0x80, 0, 0, 0x03, 0xff]);
  const padding = 6;
  const first = Buffer.concat([Buffer.from([padding]), priority, block.subarray(0, 10), Buffer.alloc(padding)]);
  const input = Buffer.concat([
    clientPrefaceForTest, settings,
    frame(HEADERS, PADDED | PRIORITY | END_STREAM, 5, first),
    frame(CONTINUATION, 0, 5, block.subarray(10, 11)),
    frame(CONTINUATION, 0, 5, Buffer.alloc(0)),
    frame(CONTINUATION, END_HEADERS, 5, block.subarray(11)),
    ping,
  ]);
  const merged = frame(HEADERS, PRIORITY | END_STREAM | END_HEADERS, 5, Buffer.concat([priority, requestBlock(authority, false)]));
  assertAtEverySplit(input, Buffer.concat([clientPrefaceForTest, settings, merged, ping]));
});

test('a header block in CONTINUATION frames that needs no change is passed on frame for frame', () => {
  const block = requestBlock(authority);
  const input = Buffer.concat([
    clientPrefaceForTest,
    frame(HEADERS, PADDED, 1, Buffer.concat([Buffer.from([2]), block.subarray(0, 5), Buffer.alloc(2)])),
    frame(CONTINUATION, END_HEADERS, 1, block.subarray(5)),
    data(1),
  ]);
  assertAtEverySplit(input, input);
});

test('protocol errors and oversized blocks are passed on untouched for nghttp2 to reject', () => {
  const block = requestBlock(url);
  const interrupted = Buffer.concat([
    clientPrefaceForTest,
    frame(HEADERS, 0, 1, block.subarray(0, 8)), ping, frame(CONTINUATION, END_HEADERS, 1, block.subarray(8)),
  ]);
  assertAtEverySplit(interrupted, interrupted);
  const badPadding = Buffer.concat([clientPrefaceForTest, frame(HEADERS, END_HEADERS | PADDED, 1, Buffer.concat([Buffer.from([200]), block]))]);
  assertAtEverySplit(badPadding, badPadding);
  const notHttp2 = Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n\0\0\0\x01\x04\0\0\0\x01');
  assertAtEverySplit(notHttp2, notHttp2);
  const huge = Buffer.concat([requestBlock(url), hpackLiteral('without-indexing', 'x-big', 'b'.repeat(http2HeaderBlockBytesMax))]);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < huge.length; offset += 16_384) chunks.push(huge.subarray(offset, offset + 16_384));
  const oversized = Buffer.concat([clientPrefaceForTest, ...chunks.map((chunk, index) =>
    frame(index === 0 ? HEADERS : CONTINUATION, index === chunks.length - 1 ? END_HEADERS : 0, 1, chunk))]);
  assert.deepEqual(filter([oversized]).output, oversized);
  assert.deepEqual(filter([oversized.subarray(0, 20_000), oversized.subarray(20_000)]).output, oversized);
});

test('a repaired block larger than the default maximum frame size is split into HEADERS and CONTINUATION frames', () => {
  const block = Buffer.alloc(40_000, 0x82);
  const frames = headersFrames(7, END_STREAM | PADDED, undefined, block);
  const sizes: Array<[number, number, number]> = [];
  for (let offset = 0; offset < frames.length;) {
    const length = frames.readUIntBE(offset, 3);
    sizes.push([length, frames[offset + 3], frames[offset + 4]]);
    offset += 9 + length;
  }
  assert.deepEqual(sizes, [[16_384, HEADERS, END_STREAM], [16_384, CONTINUATION, 0], [7_232, CONTINUATION, END_HEADERS]]);
});
