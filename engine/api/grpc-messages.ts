// gRPC's length-prefixed messages on an HTTP/2 stream (gRPC over HTTP/2: a compressed flag, a 4-byte length,
// the message): split out of DATA chunks however they were cut, and framed for sending. The limits and their
// messages are grpc-js's, so a client sees the same statuses from either server.
import { status as GrpcStatus } from '@grpc/grpc-js';

/** A message that cannot be accepted; the call ends with `code` and `details`. */
export class GrpcMessageError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
    this.name = 'GrpcMessageError';
  }
}

/** gRPC's prefix of each message: a compressed flag and a 4-byte length. */
export const messagePrefixBytes = 5;

/** Splits a stream's DATA into messages. */
export class GrpcMessageReader {
  private pending: Buffer | undefined;

  constructor(private readonly messageBytesMax: number) {}

  /** The messages completed by `chunk` (views of it when they arrived whole). */
  push(chunk: Buffer): Buffer[] {
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    const messages: Buffer[] = [];
    let at = 0;
    while (data.length - at >= messagePrefixBytes) {
      const flag = data[at]!;
      const length = data.readUInt32BE(at + 1);
      // Refused as soon as the prefix shows it, before the body is buffered.
      if (length > this.messageBytesMax) {
        throw new GrpcMessageError(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${this.messageBytesMax})`);
      }
      if (flag !== 0) {
        throw new GrpcMessageError(GrpcStatus.INTERNAL, flag === 1 ? 'Received compressed message but "grpc-encoding" header was identity' : `Invalid compression flag ${flag}`);
      }
      if (data.length - at < messagePrefixBytes + length) break;
      messages.push(data.subarray(at + messagePrefixBytes, at + messagePrefixBytes + length));
      at += messagePrefixBytes + length;
    }
    // A copy of the rest: keeping a view would pin the whole chunk until the message completes.
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
    return messages;
  }

  /** Bytes of an unfinished message (at the end of the stream: a truncated message). */
  get pendingBytes(): number {
    return this.pending?.length ?? 0;
  }
}

/** `message` with gRPC's prefix: uncompressed, then its length. */
export function messageFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(message.length + messagePrefixBytes);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, messagePrefixBytes);
  return frame;
}
