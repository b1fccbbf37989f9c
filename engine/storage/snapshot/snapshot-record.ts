// The binary format of a `.snap` file: a Raft snapshot's metadata and data, plus a reference to the backend
// copy that holds the state machine at that index. Little-endian, checksummed as a whole:
//
//   "CAIRNSNP" | format version u32 | body length u32 | crc32c(body) u32 | body
//   body: index u64 | term u64 | confState | data length u32 | data
//         | backend file name length u16 | name (UTF-8) | backend size u64 | backend sha256 (32 bytes)
//   confState: voters, learners, votersOutgoing, learnersNext (each: count u32, then u64 IDs) | autoLeave u8
//
// The backend copy can be gigabytes, so it is referenced, not embedded, and gets SHA-256 (computed natively)
// rather than the record's CRC; an empty name means the snapshot has no backend copy.
import { assert, AssertionError } from '../../common/assert.ts';
import type { ConfState, Snapshot } from '../../raft/types.ts';
import { crc32c } from '../../common/crc32c.ts';

/** A decoded `.snap` file. */
export interface SnapshotRecord {
  snapshot: Snapshot;
  /** File name (in the snap directory) of the backend copy at this snapshot; empty when there is none. */
  backendFile: string;
  backendSizeBytes: number;
  /** SHA-256 of the backend copy, 32 bytes (zeroes when there is no copy). */
  backendSha256: Uint8Array;
}

const magic = Buffer.from('CAIRNSNP', 'ascii');
const formatVersion = 1;
const headerBytes = 8 + 4 + 4 + 4;
const twoTo32 = 0x1_0000_0000;

/** Grows as fields are appended; the body is assembled in one buffer at the end. */
class Writer {
  private readonly parts: Buffer[] = [];

  u8(value: number): void {
    this.parts.push(Buffer.of(value));
  }
  u16(value: number): void {
    const part = Buffer.alloc(2);
    part.writeUInt16LE(value);
    this.parts.push(part);
  }
  u32(value: number): void {
    const part = Buffer.alloc(4);
    part.writeUInt32LE(value);
    this.parts.push(part);
  }
  u64(value: number | bigint): void {
    const part = Buffer.alloc(8);
    if (typeof value === 'bigint') part.writeBigUInt64LE(value);
    else {
      if (!(Number.isSafeInteger(value) && value >= 0)) throw new AssertionError(`snapshot: ${value} is not a non-negative safe integer`);
      part.writeUInt32LE(value % twoTo32);
      part.writeUInt32LE(Math.floor(value / twoTo32), 4);
    }
    this.parts.push(part);
  }
  bytes(value: Uint8Array): void {
    this.parts.push(Buffer.from(value));
  }
  ids(values: readonly bigint[]): void {
    this.u32(values.length);
    for (const value of values) this.u64(value);
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads fields in order; every read is bounds-checked and fails with a message naming the field. */
class Reader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  private take(bytes: number, field: string): number {
    if (this.offset + bytes > this.buffer.length) throw new Error(`snapshot record cut short reading ${field}`);
    const at = this.offset;
    this.offset += bytes;
    return at;
  }
  u8(field: string): number {
    return this.buffer[this.take(1, field)]!;
  }
  u16(field: string): number {
    return this.buffer.readUInt16LE(this.take(2, field));
  }
  u32(field: string): number {
    return this.buffer.readUInt32LE(this.take(4, field));
  }
  u64(field: string): number {
    const at = this.take(8, field);
    const high = this.buffer.readUInt32LE(at + 4);
    if (high >= 0x20_0000) throw new Error(`snapshot record ${field} out of range`);
    return high * twoTo32 + this.buffer.readUInt32LE(at);
  }
  bigU64(field: string): bigint {
    return this.buffer.readBigUInt64LE(this.take(8, field));
  }
  bytes(length: number, field: string): Buffer {
    const at = this.take(length, field);
    return Buffer.from(this.buffer.subarray(at, at + length));
  }
  ids(field: string): bigint[] {
    const count = this.u32(field);
    if (count * 8 > this.buffer.length - this.offset) throw new Error(`snapshot record ${field} count ${count} exceeds the record`);
    return Array.from({ length: count }, () => this.bigU64(field));
  }
  end(): void {
    if (this.offset !== this.buffer.length) throw new Error(`snapshot record has ${this.buffer.length - this.offset} unexpected trailing bytes`);
  }
}

/** Encodes a record, checksum included. */
export function encodeSnapshotRecord(record: SnapshotRecord): Buffer {
  const { metadata, data } = record.snapshot;
  assert(record.backendSha256.length === 32, 'snapshot: backend sha256 must be 32 bytes');
  const body = new Writer();
  body.u64(metadata.index);
  body.u64(metadata.term);
  writeConfState(body, metadata.confState);
  body.u32(data.length);
  body.bytes(data);
  const name = Buffer.from(record.backendFile, 'utf8');
  assert(name.length < 0x1_0000, 'snapshot: backend file name too long');
  body.u16(name.length);
  body.bytes(name);
  body.u64(record.backendSizeBytes);
  body.bytes(record.backendSha256);
  const bodyBytes = body.finish();
  const header = Buffer.alloc(headerBytes);
  magic.copy(header, 0);
  header.writeUInt32LE(formatVersion, 8);
  header.writeUInt32LE(bodyBytes.length, 12);
  header.writeUInt32LE(crc32c(bodyBytes), 16);
  return Buffer.concat([header, bodyBytes]);
}

/** Decodes and verifies a record; throws with the reason when the bytes are not a valid record. */
export function decodeSnapshotRecord(bytes: Buffer): SnapshotRecord {
  if (bytes.length < headerBytes || !bytes.subarray(0, 8).equals(magic)) throw new Error('not a Cairn snapshot file (bad magic)');
  const version = bytes.readUInt32LE(8);
  if (version !== formatVersion) throw new Error(`unsupported snapshot format version ${version}`);
  const bodyLength = bytes.readUInt32LE(12);
  if (headerBytes + bodyLength !== bytes.length) throw new Error(`snapshot body is ${bytes.length - headerBytes} bytes, header says ${bodyLength}`);
  const body = bytes.subarray(headerBytes);
  const expected = bytes.readUInt32LE(16);
  if (crc32c(body) !== expected) throw new Error('snapshot crc mismatch');
  const reader = new Reader(body);
  const index = reader.u64('index');
  const term = reader.u64('term');
  const confState = readConfState(reader);
  const data = reader.bytes(reader.u32('data length'), 'data');
  const backendFile = reader.bytes(reader.u16('backend file name length'), 'backend file name').toString('utf8');
  const backendSizeBytes = reader.u64('backend size');
  const backendSha256 = reader.bytes(32, 'backend sha256');
  reader.end();
  return { snapshot: { data, metadata: { index, term, confState } }, backendFile, backendSizeBytes, backendSha256 };
}

function writeConfState(writer: Writer, confState: ConfState): void {
  writer.ids(confState.voters);
  writer.ids(confState.learners);
  writer.ids(confState.votersOutgoing);
  writer.ids(confState.learnersNext);
  writer.u8(confState.autoLeave ? 1 : 0);
}

function readConfState(reader: Reader): ConfState {
  const voters = reader.ids('voters');
  const learners = reader.ids('learners');
  const votersOutgoing = reader.ids('votersOutgoing');
  const learnersNext = reader.ids('learnersNext');
  const autoLeave = reader.u8('autoLeave');
  if (autoLeave > 1) throw new Error(`snapshot autoLeave flag ${autoLeave} is not 0 or 1`);
  return { voters, learners, votersOutgoing, learnersNext, autoLeave: autoLeave === 1 };
}
