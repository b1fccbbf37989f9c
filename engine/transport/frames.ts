// Frames on a peer connection: a 5-byte header (u32 big-endian payload length, u8 kind) and the payload. Raft
// streams carry message and ping frames from sender to receiver and pong frames back; a snapshot request body is
// one message frame, payload chunk frames and an end frame. The parser accepts only the kinds its side of the
// connection expects, each up to its own length limit, so a corrupt length is refused from the header alone,
// before any of the payload is buffered.
import { assert, AssertionError } from '../common/assert.ts';
import type { Message } from '../raft/types.ts';
import { encodedMessageBytes, writeMessage } from './message-codec.ts';
import { MessageCodecError } from './message-codec-error.ts';

/** What a frame holds. */
export enum FrameKind {
  /** One encoded Raft message (message-codec.ts). */
  Message = 1,
  /** A liveness and round-trip probe: u32 sequence number. */
  Ping = 2,
  /** The answer to a ping, with its sequence number. */
  Pong = 3,
  /** A piece of a snapshot payload. */
  SnapshotChunk = 4,
  /** The end of a snapshot payload: u64 total bytes, u32 CRC-32C of the payload. */
  SnapshotEnd = 5,
}

/** Bytes of a frame header. */
export const frameHeaderBytes = 5;

/** Payload bytes of ping and pong frames. */
export const pingPayloadBytes = 4;

/** Payload bytes of a snapshot end frame. */
export const snapshotEndPayloadBytes = 12;

/** One parsed frame; `payload` may be a view into a network buffer, so copy what is kept. */
export interface Frame {
  kind: FrameKind;
  payload: Buffer;
}

/** A message frame: header and encoded message in one buffer, ready for the socket. */
export function messageFrame(message: Message): Buffer {
  const payloadBytes = encodedMessageBytes(message);
  const frame = Buffer.allocUnsafe(frameHeaderBytes + payloadBytes);
  writeHeader(frame, FrameKind.Message, payloadBytes);
  const end = writeMessage(message, frame, frameHeaderBytes);
  if (!(end === frame.length)) throw new AssertionError(`message frame wrote ${end} of ${frame.length} bytes`);
  return frame;
}

/** A ping or pong frame carrying `sequence`. */
export function pingFrame(kind: FrameKind.Ping | FrameKind.Pong, sequence: number): Buffer {
  const frame = Buffer.allocUnsafe(frameHeaderBytes + pingPayloadBytes);
  writeHeader(frame, kind, pingPayloadBytes);
  frame.writeUInt32BE(sequence >>> 0, frameHeaderBytes);
  return frame;
}

/** The header of a snapshot chunk frame of `payloadBytes`; the chunk itself is written after it unchanged. */
export function chunkHeader(payloadBytes: number): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderBytes);
  writeHeader(header, FrameKind.SnapshotChunk, payloadBytes);
  return header;
}

/** The frame that ends a snapshot payload of `totalBytes` whose CRC-32C is `checksum`. */
export function snapshotEndFrame(totalBytes: number, checksum: number): Buffer {
  const frame = Buffer.allocUnsafe(frameHeaderBytes + snapshotEndPayloadBytes);
  writeHeader(frame, FrameKind.SnapshotEnd, snapshotEndPayloadBytes);
  frame.writeBigUInt64BE(BigInt(totalBytes), frameHeaderBytes);
  frame.writeUInt32BE(checksum >>> 0, frameHeaderBytes + 8);
  return frame;
}

/** The total bytes and checksum of a snapshot end frame's payload. */
export function readSnapshotEnd(payload: Buffer): { totalBytes: number; checksum: number } {
  assert(payload.length === snapshotEndPayloadBytes, 'the parser checks the end frame length');
  const total = payload.readBigUInt64BE(0);
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new MessageCodecError(`snapshot size ${total} is out of range`);
  return { totalBytes: Number(total), checksum: payload.readUInt32BE(8) };
}

function writeHeader(target: Buffer, kind: FrameKind, payloadBytes: number): void {
  if (!(payloadBytes <= 0xffffffff)) throw new AssertionError(`frame payload of ${payloadBytes} bytes`);
  target.writeUInt32BE(payloadBytes, 0);
  target[4] = kind;
}

/**
 * Splits a byte stream into frames. Partial frames are kept until complete (as a list of chunks, joined once),
 * so memory is bounded by the largest frame the caller allows plus one network chunk.
 */
export class FrameParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the pending data can yield a frame (a header, or a header and its payload). */
  private neededBytes = frameHeaderBytes;

  /** `limits` maps each accepted kind to its largest payload; a kind missing from it is refused. */
  constructor(private readonly limits: ReadonlyMap<FrameKind, number>) {}

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** The complete frames `chunk` finishes, in order. Throws MessageCodecError on a bad header. */
  push(chunk: Buffer): Frame[] {
    let data = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.neededBytes) return [];
      data = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const frames: Frame[] = [];
    let offset = 0;
    this.neededBytes = frameHeaderBytes;
    while (data.length - offset >= frameHeaderBytes) {
      const payloadBytes = data.readUInt32BE(offset);
      this.check(data[offset + 4]!, payloadBytes);
      if (data.length - offset - frameHeaderBytes < payloadBytes) {
        this.neededBytes = frameHeaderBytes + payloadBytes;
        break;
      }
      const start = offset + frameHeaderBytes;
      frames.push({ kind: data[offset + 4] as FrameKind, payload: data.subarray(start, start + payloadBytes) });
      offset = start + payloadBytes;
    }
    if (offset < data.length) {
      this.pending = [data.subarray(offset)];
      this.pendingBytes = data.length - offset;
    }
    return frames;
  }

  private check(kind: number, payloadBytes: number): void {
    const limit = this.limits.get(kind);
    if (limit === undefined) throw new MessageCodecError(`unexpected frame kind ${kind}`);
    if (payloadBytes > limit) throw new MessageCodecError(`frame of kind ${kind} with ${payloadBytes} bytes exceeds the limit of ${limit} bytes`);
    const fixed = kind === FrameKind.Ping || kind === FrameKind.Pong ? pingPayloadBytes : kind === FrameKind.SnapshotEnd ? snapshotEndPayloadBytes : undefined;
    if (fixed !== undefined && payloadBytes !== fixed) throw new MessageCodecError(`frame of kind ${kind} must have ${fixed} bytes, not ${payloadBytes}`);
  }
}
