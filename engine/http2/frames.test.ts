// Frame reading and writing against RFC 9113's layouts (built byte by byte by the test support, not by the code
// under test), split at every byte boundary, and against nghttp2: Node's http2 client must accept the frames a
// server writes with these functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { clientPrefaceForTest, frame } from '../api/http2-test-support.ts';
import { FrameReader } from './frame-reader.ts';
import {
  checkFrame, dataFrameHeader, ErrorCode, FrameFlag, FrameType, goAwayFrame, headersFrames, Http2ConnectionError, pingAckFrame,
  readSettings, rstStreamFrame, Setting, settingsAckFrame, settingsFrame, unpaddedContent, windowUpdateFrame, type Frame,
} from './frames.ts';
import { encodeHeaderBlock } from './hpack-encoder.ts';
import { HpackDecoder } from './hpack-decoder.ts';

const connectionBytes = Buffer.concat([
  clientPrefaceForTest,
  frame(FrameType.Settings, 0, 0, Buffer.from([0, 3, 0, 0, 0, 100, 0, 4, 0, 1, 0, 0])),
  frame(FrameType.WindowUpdate, 0, 0, Buffer.from([0, 0x0f, 0, 1])),
  frame(FrameType.Headers, FrameFlag.EndHeaders, 1, Buffer.from([0x83, 0x86, 0x84])),
  frame(FrameType.Data, FrameFlag.EndStream, 1, Buffer.alloc(16_000, 7)),
  frame(FrameType.Ping, 0, 0, Buffer.from('12345678')),
]);

function summary(frames: Frame[]): string[] {
  return frames.map((item) => `${item.type}/${item.flags}/${item.streamId}/${item.payload.toString('hex')}`);
}

test('frames come out whole however the bytes are split, and whole frames are views of their chunk', () => {
  const expected = summary(new FrameReader().push(connectionBytes));
  assert.equal(expected.length, 5);
  for (let cut = 1; cut < connectionBytes.length; cut += cut < 64 ? 1 : 997) {
    const reader = new FrameReader();
    const frames = [...reader.push(connectionBytes.subarray(0, cut)), ...reader.push(connectionBytes.subarray(cut))];
    assert.deepEqual(summary(frames), expected, `split at ${cut}`);
  }
  const reader = new FrameReader();
  const bytewise = [...connectionBytes].flatMap((byte) => reader.push(Buffer.from([byte])));
  assert.deepEqual(summary(bytewise), expected, 'one byte at a time');
  const chunk = Buffer.from(connectionBytes);
  const [settings] = new FrameReader().push(chunk);
  assert.equal(settings!.payload.buffer, chunk.buffer, 'no copy of a frame that arrived whole');
  assert.deepEqual(readSettings(settings!.payload), [[Setting.MaxConcurrentStreams, 100], [Setting.InitialWindowSize, 65_536]]);
});

test('a wrong preface and a frame above the maximum size end the connection', () => {
  assert.throws(() => new FrameReader().push(Buffer.from('GET / HTTP/1.1\r\n')), (error) => error instanceof Http2ConnectionError && error.code === ErrorCode.ProtocolError);
  const reader = new FrameReader();
  reader.push(clientPrefaceForTest);
  const header = frame(FrameType.Data, 0, 1, Buffer.alloc(0));
  header.writeUIntBE(16_385, 0, 3);
  assert.throws(() => reader.push(header), (error) => error instanceof Http2ConnectionError && error.code === ErrorCode.FrameSizeError);
  const larger = new FrameReader(20_000);
  larger.push(clientPrefaceForTest);
  assert.equal(larger.push(frame(FrameType.Data, 0, 1, Buffer.alloc(20_000)))[0]!.payload.length, 20_000, 'within an advertised larger size');
});

test("checkFrame enforces each type's stream and length rules", () => {
  const bad: Array<[string, Frame, number]> = [
    ['DATA on stream 0', { type: FrameType.Data, flags: 0, streamId: 0, payload: Buffer.alloc(1) }, ErrorCode.ProtocolError],
    ['SETTINGS on a stream', { type: FrameType.Settings, flags: 0, streamId: 1, payload: Buffer.alloc(0) }, ErrorCode.ProtocolError],
    ['SETTINGS of 5 bytes', { type: FrameType.Settings, flags: 0, streamId: 0, payload: Buffer.alloc(5) }, ErrorCode.FrameSizeError],
    ['SETTINGS ACK with a payload', { type: FrameType.Settings, flags: FrameFlag.Ack, streamId: 0, payload: Buffer.alloc(6) }, ErrorCode.FrameSizeError],
    ['PING of 7 bytes', { type: FrameType.Ping, flags: 0, streamId: 0, payload: Buffer.alloc(7) }, ErrorCode.FrameSizeError],
    ['WINDOW_UPDATE of 3 bytes', { type: FrameType.WindowUpdate, flags: 0, streamId: 1, payload: Buffer.alloc(3) }, ErrorCode.FrameSizeError],
    ['RST_STREAM on stream 0', { type: FrameType.RstStream, flags: 0, streamId: 0, payload: Buffer.alloc(4) }, ErrorCode.ProtocolError],
    ['PRIORITY of 4 bytes', { type: FrameType.Priority, flags: 0, streamId: 1, payload: Buffer.alloc(4) }, ErrorCode.FrameSizeError],
    ['GOAWAY of 7 bytes', { type: FrameType.GoAway, flags: 0, streamId: 0, payload: Buffer.alloc(7) }, ErrorCode.FrameSizeError],
    ['PUSH_PROMISE', { type: FrameType.PushPromise, flags: 0, streamId: 1, payload: Buffer.alloc(4) }, ErrorCode.ProtocolError],
  ];
  for (const [name, item, code] of bad) assert.throws(() => checkFrame(item), (error) => error instanceof Http2ConnectionError && error.code === code, name);
  for (const item of new FrameReader().push(connectionBytes)) checkFrame(item);
  checkFrame({ type: 0xfa, flags: 0, streamId: 3, payload: Buffer.alloc(3) });
});

test('padding and priority fields are taken off DATA and HEADERS content', () => {
  const padded = { type: FrameType.Data, flags: FrameFlag.Padded, streamId: 1, payload: Buffer.from([2, 0x61, 0x62, 0, 0]) };
  assert.equal(unpaddedContent(padded).toString(), 'ab');
  const headers = { type: FrameType.Headers, flags: FrameFlag.Padded | FrameFlag.Priority, streamId: 1, payload: Buffer.from([1, 0, 0, 0, 0, 16, 0x82, 0]) };
  assert.deepEqual(unpaddedContent(headers), Buffer.from([0x82]));
  assert.throws(() => unpaddedContent({ ...padded, payload: Buffer.from([5, 0x61]) }), Http2ConnectionError);
  assert.throws(() => unpaddedContent({ ...padded, payload: Buffer.alloc(0) }), Http2ConnectionError);
});

test('written frames have RFC 9113 layouts', () => {
  assert.deepEqual(settingsFrame([[Setting.MaxConcurrentStreams, 100]]), frame(FrameType.Settings, 0, 0, Buffer.from([0, 3, 0, 0, 0, 100])));
  assert.deepEqual(settingsAckFrame, frame(FrameType.Settings, FrameFlag.Ack, 0, Buffer.alloc(0)));
  assert.deepEqual(pingAckFrame(Buffer.from('abcdefgh')), frame(FrameType.Ping, FrameFlag.Ack, 0, Buffer.from('abcdefgh')));
  assert.deepEqual(windowUpdateFrame(3, 1000), frame(FrameType.WindowUpdate, 0, 3, Buffer.from([0, 0, 3, 0xe8])));
  assert.deepEqual(rstStreamFrame(5, ErrorCode.Cancel), frame(FrameType.RstStream, 0, 5, Buffer.from([0, 0, 0, 8])));
  assert.deepEqual(goAwayFrame(7, ErrorCode.NoError, 'bye'), frame(FrameType.GoAway, 0, 0, Buffer.from([0, 0, 0, 7, 0, 0, 0, 0, 0x62, 0x79, 0x65])));
  assert.deepEqual(dataFrameHeader(9, 300, true), Buffer.from([0, 1, 0x2c, FrameType.Data, FrameFlag.EndStream, 0, 0, 0, 9]));
  const block = Buffer.alloc(40, 0x82);
  assert.deepEqual(headersFrames(1, block, true, 16), Buffer.concat([
    frame(FrameType.Headers, FrameFlag.EndStream, 1, block.subarray(0, 16)),
    frame(FrameType.Continuation, 0, 1, block.subarray(16, 32)),
    frame(FrameType.Continuation, FrameFlag.EndHeaders, 1, block.subarray(32)),
  ]));
  assert.deepEqual(headersFrames(3, Buffer.alloc(0), false, 16), frame(FrameType.Headers, FrameFlag.EndHeaders, 3, Buffer.alloc(0)));
});

test("nghttp2 (Node's http2 client) accepts a response written with these frames", { timeout: 10_000 }, async () => {
  const server = net.createServer((socket) => {
    const reader = new FrameReader();
    const decoder = new HpackDecoder();
    socket.write(settingsFrame([[Setting.MaxConcurrentStreams, 100]]));
    socket.on('data', (chunk: Buffer) => {
      for (const item of reader.push(chunk)) {
        checkFrame(item);
        if (item.type === FrameType.Settings && !(item.flags & FrameFlag.Ack)) socket.write(settingsAckFrame);
        if (item.type !== FrameType.Headers) continue;
        const path = new Map(decoder.decode(unpaddedContent(item))).get(':path');
        const message = Buffer.from(`answer to ${path}`);
        // Headers, a DATA frame and trailers split into CONTINUATION frames, in one write.
        socket.write(Buffer.concat([
          headersFrames(item.streamId, encodeHeaderBlock([[':status', '200'], ['content-type', 'application/grpc']]), false, 16_384),
          dataFrameHeader(item.streamId, message.length, false), message,
          headersFrames(item.streamId, encodeHeaderBlock([['grpc-status', '0'], ['grpc-message', 'x'.repeat(100)]]), true, 30),
        ]));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = http2.connect(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  try {
    for (const path of ['/a', '/b']) {
      const request = client.request({ ':method': 'POST', ':path': path }, { endStream: true });
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      const [trailers] = (await once(request, 'trailers')) as [http2.IncomingHttpHeaders];
      assert.equal(Buffer.concat(chunks).toString(), `answer to ${path}`);
      assert.equal(trailers['grpc-status'], '0');
      assert.equal(trailers['grpc-message'], 'x'.repeat(100));
    }
  } finally {
    client.close();
    server.close();
  }
});
