// The Put call's messages, read and written by hand for the unary fast path: Put is most of a write load, and
// proto-loader's generic path (decode, then toObject; fromObject, then encode with a forked writer per nested
// message) costs more than the rest of the edge. The shapes are exactly proto-loader's (protoConversionOptions:
// int64 as decimal strings, bytes as Buffers, defaults filled in); anything this reader does not expect (a
// group, a truncated field) is left to the generic deserializer, and a response with prev_kv to the generic
// serializer, so both always agree with protobufjs. put-codec.test.ts checks them against it.
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { PutResponse } from '../proto/generated/etcdserverpb/PutResponse.ts';
import type { ResponseHeader } from '../proto/generated/etcdserverpb/ResponseHeader.ts';
import { uint64Halves, varint64Length, writeVarint64 } from '../proto/varint64.ts';

/** Thrown when a message needs the generic reader. */
class NeedsGenericReader extends Error {}

const emptyBytes = Buffer.alloc(0);

/** Reads protobuf varints and fields from one message. */
class FieldReader {
  at = 0;
  constructor(readonly bytes: Buffer) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  /** A varint of up to 32 significant bits (tags, lengths); longer ones need the generic reader. */
  small(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.at >= this.bytes.length) throw new NeedsGenericReader();
      const byte = this.bytes[this.at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new NeedsGenericReader();
  }

  /** A 64-bit varint as an int64 decimal string (proto-loader's longs: String). */
  int64Text(): string {
    let low = 0;
    let high = 0;
    for (let index = 0; index < 10; index++) {
      if (this.at >= this.bytes.length) throw new NeedsGenericReader();
      const byte = this.bytes[this.at++]!;
      const bits = byte & 0x7f;
      if (index < 4) low += bits * 2 ** (7 * index);
      else if (index === 4) {
        low += (bits & 0x0f) * 2 ** 28;
        high += bits >>> 4;
      } else high += bits * 2 ** (7 * index - 32);
      if (byte < 0x80) {
        high %= 2 ** 32;
        if (high === 0) return String(low);
        return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low)).toString();
      }
    }
    throw new NeedsGenericReader();
  }

  bytesField(): Buffer {
    const length = this.small();
    const end = this.at + length;
    if (end > this.bytes.length) throw new NeedsGenericReader();
    const value = this.bytes.subarray(this.at, end);
    this.at = end;
    return value;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.int64Text();
    else if (wireType === 1) this.at += 8;
    else if (wireType === 2) {
      const length = this.small();
      this.at += length;
    }
    else if (wireType === 5) this.at += 4;
    else throw new NeedsGenericReader();
    if (this.at > this.bytes.length) throw new NeedsGenericReader();
  }
}

/** A PutRequest as proto-loader decodes it, or undefined when the generic reader must decide. */
export function readPutRequest(bytes: Buffer): PutRequest__Output | undefined {
  const request: PutRequest__Output = { key: emptyBytes, value: emptyBytes, lease: '0', prev_kv: false, ignore_value: false, ignore_lease: false };
  const reader = new FieldReader(bytes);
  try {
    while (!reader.done) {
      const tag = reader.small();
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (field === 1 && wireType === 2) request.key = reader.bytesField();
      else if (field === 2 && wireType === 2) request.value = reader.bytesField();
      else if (field === 3 && wireType === 0) request.lease = reader.int64Text();
      else if (field === 4 && wireType === 0) request.prev_kv = reader.int64Text() !== '0';
      else if (field === 5 && wireType === 0) request.ignore_value = reader.int64Text() !== '0';
      else if (field === 6 && wireType === 0) request.ignore_lease = reader.int64Text() !== '0';
      else reader.skip(wireType);
    }
  } catch (error) {
    if (error instanceof NeedsGenericReader) return undefined;
    throw error;
  }
  return request;
}

type Uint64Field = ResponseHeader['cluster_id'];

/** A uint64/int64 field value (number, decimal string or Long) as two 32-bit halves of its 64 bits. */
function halvesOf(value: Uint64Field): [number, number] | undefined {
  if (value === undefined || value === null) return [0, 0];
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return undefined;
    return [value % 2 ** 32, Math.floor(value / 2 ** 32)];
  }
  if (typeof value === 'string') {
    const { low, high } = uint64Halves(BigInt(value));
    return [low, high];
  }
  return [value.low >>> 0, value.high >>> 0];
}


/**
 * A PutResponse as protobuf bytes, with the five bytes of gRPC's message prefix reserved in front; undefined
 * when the generic serializer must write it (a prev_kv, or a field value this writer does not take).
 */
export function writePutResponseFrame(response: PutResponse): Buffer | undefined {
  if (response.prev_kv) return undefined;
  const header = response.header;
  const fields: Array<[number, number]> = [];
  if (header) {
    for (const value of [header.cluster_id, header.member_id, header.revision, header.raft_term]) {
      const halves = halvesOf(value);
      if (halves === undefined) return undefined;
      fields.push(halves);
    }
  }
  let headerLength = 0;
  for (const [low, high] of fields) if (low !== 0 || high !== 0) headerLength += 1 + varint64Length(low, high);
  const messageLength = header ? 1 + varint64Length(headerLength, 0) + headerLength : 0;
  const frame = Buffer.allocUnsafe(5 + messageLength);
  frame[0] = 0;
  frame.writeUInt32BE(messageLength, 1);
  if (!header) return frame;
  let at = 5;
  frame[at++] = 0x0a; // PutResponse.header = 1, length-delimited
  at = writeVarint64(frame, at, headerLength, 0);
  fields.forEach(([low, high], index) => {
    if (low === 0 && high === 0) return;
    frame[at++] = (index + 1) << 3; // ResponseHeader fields 1-4, varints
    at = writeVarint64(frame, at, low, high);
  });
  return frame;
}
