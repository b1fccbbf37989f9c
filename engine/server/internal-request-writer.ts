// Protobuf bytes of the two most frequent log entries, a Put or a DeleteRange with its request header, written by
// hand: protobufjs's generic encoder forks a writer per nested message, parses the lease's decimal string into a
// Long and allocates several objects on the way, a visible share of a member's CPU per put. The bytes follow
// cairnpb.InternalRaftRequest field for field (proto3: default values are left out), so any decoder reads
// them; internal-request.test.ts checks them against protobufjs on random requests.
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import { uint64Halves, varint64Length, writeVarint64, type Uint64Halves } from '../proto/varint64.ts';

/** The fields of the entry's RequestHeader. */
export interface EntryHeader {
  id: bigint;
  username: string;
  authRevision: number;
}

// Tags: (field number << 3) | wire type (0 varint, 2 length-delimited), as varint bytes.
const tagPut = 0x22; // InternalRaftRequest.put = 4
const tagDeleteRange = 0x2a; // InternalRaftRequest.delete_range = 5
const tagHeader = [0xa2, 0x06]; // InternalRaftRequest.header = 100
const tagField1Bytes = 0x0a;
const tagField2Bytes = 0x12;
const tagField1Varint = 0x08;
const tagField3Varint = 0x18;
const tagField4Varint = 0x20;
const tagField5Varint = 0x28;
const tagField6Varint = 0x30;

const zero: Uint64Halves = { low: 0, high: 0 };

/** `value` as the uint64 bits a varint carries (an int64 as its two's complement). */
function halves(value: bigint): Uint64Halves {
  return value === 0n ? zero : uint64Halves(value);
}

function isZero(value: Uint64Halves): boolean {
  return value.low === 0 && value.high === 0;
}

function varintLength({ low, high }: Uint64Halves): number {
  return varint64Length(low, high);
}

function smallVarintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** Writes into a pre-sized buffer, front to back. */
class ExactWriter {
  readonly bytes: Buffer;
  private at = 0;

  constructor(length: number) {
    this.bytes = Buffer.allocUnsafe(length);
  }

  byte(value: number): void {
    this.bytes[this.at++] = value;
  }

  smallVarint(value: number): void {
    while (value >= 0x80) {
      this.bytes[this.at++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.bytes[this.at++] = value;
  }

  varint({ low, high }: Uint64Halves): void {
    this.at = writeVarint64(this.bytes, this.at, low, high);
  }

  raw(data: Uint8Array): void {
    this.bytes.set(data, this.at);
    this.at += data.length;
  }

  /** Checks that the sizes computed up front were exact. */
  done(): Buffer {
    if (this.at !== this.bytes.length) throw new Error(`internal request writer: wrote ${this.at} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}

/** A length-delimited field's size: tag, length varint, payload. */
function delimitedLength(tagBytes: number, payloadLength: number): number {
  return tagBytes + smallVarintLength(payloadLength) + payloadLength;
}

function bytesFieldLength(data: Uint8Array): number {
  return data.length === 0 ? 0 : delimitedLength(1, data.length);
}

function writeBytesField(writer: ExactWriter, tag: number, data: Uint8Array): void {
  if (data.length === 0) return;
  writer.byte(tag);
  writer.smallVarint(data.length);
  writer.raw(data);
}

function flagLength(flag: boolean): number {
  return flag ? 2 : 0;
}

function writeFlag(writer: ExactWriter, tag: number, flag: boolean): void {
  if (!flag) return;
  writer.byte(tag);
  writer.byte(1);
}

interface HeaderPlan {
  id: Uint64Halves;
  username: Buffer;
  payloadLength: number;
}

const noUsername = Buffer.alloc(0);

function planHeader(header: EntryHeader): HeaderPlan {
  const id = halves(header.id);
  const username = header.username === '' ? noUsername : Buffer.from(header.username, 'utf8');
  const payloadLength = (isZero(id) ? 0 : 1 + varintLength(id))
    + bytesFieldLength(username)
    + (header.authRevision === 0 ? 0 : 1 + smallVarintLength(header.authRevision));
  return { id, username, payloadLength };
}

function writeHeader(writer: ExactWriter, header: EntryHeader, plan: HeaderPlan): void {
  writer.byte(tagHeader[0]!);
  writer.byte(tagHeader[1]!);
  writer.smallVarint(plan.payloadLength);
  if (!isZero(plan.id)) {
    writer.byte(tagField1Varint);
    writer.varint(plan.id);
  }
  writeBytesField(writer, tagField2Bytes, plan.username);
  if (header.authRevision !== 0) {
    writer.byte(tagField3Varint);
    writer.smallVarint(header.authRevision);
  }
}

/** An int64 field as proto-loader gives it (a decimal string; "0" for most puts), as varint bits. */
function int64Halves(value: string | number): Uint64Halves {
  return value === '0' || value === 0 ? zero : halves(BigInt(value));
}

/** InternalRaftRequest { put, header } as bytes. */
export function writePutEntry(put: PutRequest__Output, header: EntryHeader): Buffer {
  const lease = int64Halves(put.lease);
  const putLength = bytesFieldLength(put.key) + bytesFieldLength(put.value)
    + (isZero(lease) ? 0 : 1 + varintLength(lease))
    + flagLength(put.prev_kv) + flagLength(put.ignore_value) + flagLength(put.ignore_lease);
  const headerPlan = planHeader(header);
  const writer = new ExactWriter(delimitedLength(1, putLength) + delimitedLength(2, headerPlan.payloadLength));
  writer.byte(tagPut);
  writer.smallVarint(putLength);
  writeBytesField(writer, tagField1Bytes, put.key);
  writeBytesField(writer, tagField2Bytes, put.value);
  if (!isZero(lease)) {
    writer.byte(tagField3Varint);
    writer.varint(lease);
  }
  writeFlag(writer, tagField4Varint, put.prev_kv);
  writeFlag(writer, tagField5Varint, put.ignore_value);
  writeFlag(writer, tagField6Varint, put.ignore_lease);
  writeHeader(writer, header, headerPlan);
  return writer.done();
}

/** InternalRaftRequest { delete_range, header } as bytes. */
export function writeDeleteRangeEntry(deleteRange: DeleteRangeRequest__Output, header: EntryHeader): Buffer {
  const deleteLength = bytesFieldLength(deleteRange.key) + bytesFieldLength(deleteRange.range_end) + flagLength(deleteRange.prev_kv);
  const headerPlan = planHeader(header);
  const writer = new ExactWriter(delimitedLength(1, deleteLength) + delimitedLength(2, headerPlan.payloadLength));
  writer.byte(tagDeleteRange);
  writer.smallVarint(deleteLength);
  writeBytesField(writer, tagField1Bytes, deleteRange.key);
  writeBytesField(writer, tagField2Bytes, deleteRange.range_end);
  writeFlag(writer, tagField3Varint, deleteRange.prev_kv);
  writeHeader(writer, header, headerPlan);
  return writer.done();
}
