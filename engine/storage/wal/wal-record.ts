// The framing of one WAL record (see wal.ts for the whole format):
//
//   [length u32 LE][crc32c u32 LE][type u8][payload ...][zero padding to a multiple of 8 bytes]
//
// `length` counts the type byte and the payload (not the header, not the padding); the CRC covers the same
// bytes. Records start at 8-byte aligned offsets so that, after a bad record, recovery can look for valid
// records that follow it at a handful of candidate offsets instead of at every byte.
import { AssertionError } from '../../common/assert.ts';
import { walRecordBytesMax } from '../../common/limits.ts';
import { crc32c } from '../../common/crc32c.ts';

/** What a record holds. Zero is never a type, so zeroed (pre-allocated) space never reads as a record. */
export enum WalRecordType {
  /** First record of every segment: format version, segment sequence number, first entry index. */
  SegmentHeader = 1,
  /** The opaque bytes given at creation (member and cluster IDs); repeated at the start of every segment. */
  Metadata = 2,
  Entry = 3,
  HardState = 4,
  /** The index and term of a snapshot the member saved; the log before it may be released. */
  SnapshotMark = 5,
}

/** Bytes of the length and CRC fields before the type byte. */
export const recordHeaderBytes = 8;

/** Bytes a record with `payloadBytes` of payload occupies in a segment, padding included. */
export function recordSpanBytes(payloadBytes: number): number {
  return (recordHeaderBytes + 1 + payloadBytes + 7) & ~7;
}

/** Where a record's payload starts, relative to the record's offset. */
export const payloadOffset = recordHeaderBytes + 1;

/**
 * Frames the payload already written at `offset + payloadOffset`: writes length, CRC, type and zero
 * padding. Returns the offset of the next record.
 */
export function sealRecord(buffer: Buffer, offset: number, type: WalRecordType, payloadBytes: number): number {
  const length = 1 + payloadBytes;
  const end = offset + recordSpanBytes(payloadBytes);
  buffer[offset + recordHeaderBytes] = type;
  buffer.fill(0, offset + recordHeaderBytes + length, end);
  buffer.writeUInt32LE(length, offset);
  buffer.writeUInt32LE(crc32c(buffer, offset + recordHeaderBytes, offset + recordHeaderBytes + length), offset + 4);
  return end;
}

/** A record found in a buffer: its type, where its payload lies, and where the next record starts. */
export interface RecordView {
  type: WalRecordType;
  payloadStart: number;
  payloadEnd: number;
  next: number;
}

/** The outcome of reading one record: the record, or why the bytes there are not a valid record. */
export type RecordRead = { ok: true; record: RecordView } | { ok: false; reason: string };

/** Reads and verifies (bounds, CRC, type, zero padding) the record at `offset`; never reads past `end`. */
export function readRecord(buffer: Uint8Array, offset: number, end: number): RecordRead {
  if (offset + recordHeaderBytes > end) return { ok: false, reason: `record header cut short (${end - offset} bytes left)` };
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const length = view.getUint32(offset, true);
  if (length === 0) return { ok: false, reason: 'zero record length' };
  if (length > walRecordBytesMax + 1) return { ok: false, reason: `record length ${length} exceeds the maximum ${walRecordBytesMax + 1}` };
  const span = recordSpanBytes(length - 1);
  if (offset + span > end) return { ok: false, reason: `record of ${span} bytes runs past the end of the file (${end - offset} bytes left)` };
  const bodyStart = offset + recordHeaderBytes;
  const expected = view.getUint32(offset + 4, true);
  const actual = crc32c(buffer, bodyStart, bodyStart + length);
  if (actual !== expected) return { ok: false, reason: `crc mismatch (stored ${hex(expected)}, computed ${hex(actual)})` };
  const type = buffer[bodyStart]!;
  if (type < WalRecordType.SegmentHeader || type > WalRecordType.SnapshotMark) return { ok: false, reason: `unknown record type ${type}` };
  for (let index = bodyStart + length; index < offset + span; index++) {
    if (buffer[index] !== 0) return { ok: false, reason: 'non-zero padding' };
  }
  return { ok: true, record: { type, payloadStart: bodyStart + 1, payloadEnd: bodyStart + length, next: offset + span } };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** Verifies that `buffer` is a whole sequence of valid records; returns the number of records. */
export function verifyRecords(buffer: Uint8Array): number {
  let offset = 0;
  let count = 0;
  while (offset < buffer.length) {
    const read = readRecord(buffer, offset, buffer.length);
    if (!(read.ok)) throw new AssertionError(`wal: record about to be written is invalid at offset ${offset}: ${read.ok ? '' : read.reason}`);
    offset = read.record.next;
    count++;
  }
  return count;
}
