import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../raft/types.ts';
import { chunkHeader, FrameKind, FrameParser, messageFrame, pingFrame, readSnapshotEnd, snapshotEndFrame } from './frames.ts';
import { decodeMessage } from './message-codec.ts';
import { MessageCodecError } from './message-codec-error.ts';
import { appendMessage } from './transport-testing.ts';

const streamLimits = new Map([
  [FrameKind.Message, 4096],
  [FrameKind.Ping, 4],
]);

test('frames split at every byte boundary come out whole and in order', () => {
  const messages = [appendMessage(1n, 2n, 1, 3, 100), appendMessage(1n, 2n, 4, 1, 0), appendMessage(1n, 2n, 5, 2, 1000)];
  const stream = Buffer.concat([messageFrame(messages[0]!), pingFrame(FrameKind.Ping, 7), messageFrame(messages[1]!), messageFrame(messages[2]!)]);
  for (const step of [1, 2, 5, 64, stream.length]) {
    const parser = new FrameParser(streamLimits);
    const frames = [];
    for (let offset = 0; offset < stream.length; offset += step) frames.push(...parser.push(stream.subarray(offset, offset + step)));
    assert.deepEqual(
      frames.map((frame) => frame.kind),
      [FrameKind.Message, FrameKind.Ping, FrameKind.Message, FrameKind.Message],
      `step ${step}`,
    );
    assert.deepEqual(decodeMessage(frames[3]!.payload), messages[2]);
    assert.equal(frames[1]!.payload.readUInt32BE(0), 7);
    assert.equal(parser.bufferedBytes, 0);
  }
});

test('a frame header over the kind limit is refused before its payload arrives', () => {
  const parser = new FrameParser(streamLimits);
  const header = Buffer.from([0, 0, 0x10, 0x01, FrameKind.Message]);
  assert.throws(() => parser.push(header), (error) => error instanceof MessageCodecError && /exceeds the limit of 4096/.test(error.message));
});

test('kinds the side does not expect, and pings of the wrong size, are refused', () => {
  assert.throws(() => new FrameParser(streamLimits).push(chunkHeader(10)), /unexpected frame kind 4/);
  assert.throws(() => new FrameParser(streamLimits).push(Buffer.from([0, 0, 0, 3, FrameKind.Ping, 1, 2, 3])), /must have 4 bytes/);
  assert.throws(() => new FrameParser(streamLimits).push(Buffer.from([0, 0, 0, 0, 99])), /unexpected frame kind 99/);
});

test('snapshot end frames carry the size and checksum', () => {
  const parser = new FrameParser(new Map([[FrameKind.SnapshotEnd, 12]]));
  const [frame] = parser.push(snapshotEndFrame(20 * 1024 * 1024, 0xdeadbeef));
  assert.deepEqual(readSnapshotEnd(frame!.payload), { totalBytes: 20 * 1024 * 1024, checksum: 0xdeadbeef });
});

test('a message frame holds exactly one encoded message', () => {
  const message = { ...appendMessage(5n, 6n, 10), type: MessageType.Heartbeat, entries: [] };
  const frame = messageFrame(message);
  assert.equal(frame.readUInt32BE(0), frame.length - 5);
  assert.deepEqual(decodeMessage(frame.subarray(5)), message);
});
