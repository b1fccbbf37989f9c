// Hand-written binary encodings of the WAL record payloads, all little-endian (see wal.ts for the layouts).
// Fixed offsets and no varints: encoding is a handful of stores, decoding a handful of loads, and a payload of
// the wrong length is caught before any field is trusted. Indexes and terms are JavaScript numbers in memory
// (safe up to 2^53) and u64 on disk, so the format never needs to change if that bound ever did.
import { assert, AssertionError } from '../../common/assert.ts';
import { EntryType, type Entry, type HardState } from '../../raft/types.ts';
import { payloadOffset, recordSpanBytes, sealRecord, WalRecordType } from './wal-record.ts';

/** Where a snapshot sits in the log: the WAL records these so the log before them can be released. */
export interface SnapshotMark {
  index: number;
  term: number;
}

/** The first record of a segment. */
export interface SegmentHeader {
  formatVersion: number;
  sequence: number;
  firstIndex: number;
}

/** Identifies Cairn WAL segments ("CAIRNWAL"). */
const segmentMagic = Buffer.from('CAIRNWAL', 'ascii');

/** The only format version so far; a reader refuses versions it does not know. */
export const walFormatVersion = 1;

/** Payload sizes of the fixed-size records. */
const segmentHeaderBytes = 8 + 4 + 8 + 8;
const hardStateBytes = 8 + 8 + 8;
const snapshotMarkBytes = 8 + 8;
const entryFixedBytes = 8 + 8 + 1;

const twoTo32 = 0x1_0000_0000;

function writeU64(buffer: Buffer, offset: number, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new AssertionError(`wal: ${value} is not a non-negative safe integer`);
  buffer.writeUInt32LE(value % twoTo32, offset);
  buffer.writeUInt32LE(Math.floor(value / twoTo32), offset + 4);
}

/** Reads a u64 that must fit a safe integer; undefined when it does not (only corruption produces that). */
function readU64(buffer: Buffer, offset: number): number | undefined {
  const high = buffer.readUInt32LE(offset + 4);
  if (high >= 0x20_0000) return undefined;
  return high * twoTo32 + buffer.readUInt32LE(offset);
}

/** Bytes the records for these entries and this hard state take, padding included. */
function saveSpanBytes(entries: readonly Entry[], hardState: HardState | undefined): number {
  let bytes = hardState ? recordSpanBytes(hardStateBytes) : 0;
  for (const entry of entries) bytes += recordSpanBytes(entryFixedBytes + entry.data.length);
  return bytes;
}

/** The records of one save: the entries, then the hard state (so a commit index never precedes its entries). */
export function encodeSave(entries: readonly Entry[], hardState: HardState | undefined): Buffer {
  const buffer = Buffer.allocUnsafe(saveSpanBytes(entries, hardState));
  let offset = 0;
  for (const entry of entries) offset = writeEntryRecord(buffer, offset, entry);
  if (hardState) offset = writeHardStateRecord(buffer, offset, hardState);
  assert(offset === buffer.length, 'wal: save size mismatch');
  return buffer;
}

/** Writes an entry record at `offset`; returns the next offset. */
function writeEntryRecord(buffer: Buffer, offset: number, entry: Entry): number {
  const start = offset + payloadOffset;
  writeU64(buffer, start, entry.term);
  writeU64(buffer, start + 8, entry.index);
  buffer[start + 16] = entry.type;
  buffer.set(entry.data, start + entryFixedBytes);
  return sealRecord(buffer, offset, WalRecordType.Entry, entryFixedBytes + entry.data.length);
}

/** Writes a hard state record at `offset`; returns the next offset. */
function writeHardStateRecord(buffer: Buffer, offset: number, hardState: HardState): number {
  const start = offset + payloadOffset;
  writeU64(buffer, start, hardState.term);
  if (!(hardState.vote >= 0n && hardState.vote < 1n << 64n)) throw new AssertionError(`wal: vote ${hardState.vote} is not a u64`);
  buffer.writeBigUInt64LE(hardState.vote, start + 8);
  writeU64(buffer, start + 16, hardState.commit);
  return sealRecord(buffer, offset, WalRecordType.HardState, hardStateBytes);
}

/** One snapshot mark record. */
export function encodeSnapshotMark(mark: SnapshotMark): Buffer {
  const buffer = Buffer.allocUnsafe(recordSpanBytes(snapshotMarkBytes));
  writeSnapshotMarkRecord(buffer, 0, mark);
  return buffer;
}

/** Writes a snapshot mark record at `offset`; returns the next offset. */
function writeSnapshotMarkRecord(buffer: Buffer, offset: number, mark: SnapshotMark): number {
  const start = offset + payloadOffset;
  writeU64(buffer, start, mark.index);
  writeU64(buffer, start + 8, mark.term);
  return sealRecord(buffer, offset, WalRecordType.SnapshotMark, snapshotMarkBytes);
}

/** Writes a metadata record at `offset`; returns the next offset. */
function writeMetadataRecord(buffer: Buffer, offset: number, metadata: Uint8Array): number {
  buffer.set(metadata, offset + payloadOffset);
  return sealRecord(buffer, offset, WalRecordType.Metadata, metadata.length);
}

/** Writes a segment header record at `offset`; returns the next offset. */
function writeSegmentHeaderRecord(buffer: Buffer, offset: number, header: SegmentHeader): number {
  const start = offset + payloadOffset;
  segmentMagic.copy(buffer, start);
  buffer.writeUInt32LE(header.formatVersion, start + 8);
  writeU64(buffer, start + 12, header.sequence);
  writeU64(buffer, start + 20, header.firstIndex);
  return sealRecord(buffer, offset, WalRecordType.SegmentHeader, segmentHeaderBytes);
}

/** The records that open a segment: header, metadata, and the latest hard state and snapshot mark if any. */
export function encodeSegmentStart(
  header: SegmentHeader,
  metadata: Uint8Array,
  hardState: HardState | undefined,
  mark: SnapshotMark | undefined,
): Buffer {
  const bytes =
    recordSpanBytes(segmentHeaderBytes) +
    recordSpanBytes(metadata.length) +
    (hardState ? recordSpanBytes(hardStateBytes) : 0) +
    (mark ? recordSpanBytes(snapshotMarkBytes) : 0);
  const buffer = Buffer.allocUnsafe(bytes);
  let offset = writeSegmentHeaderRecord(buffer, 0, header);
  offset = writeMetadataRecord(buffer, offset, metadata);
  if (hardState) offset = writeHardStateRecord(buffer, offset, hardState);
  if (mark) offset = writeSnapshotMarkRecord(buffer, offset, mark);
  assert(offset === bytes, 'wal: segment start size mismatch');
  return buffer;
}

/** A decoded payload, or why the payload bytes are not valid. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

function fail<T>(reason: string): Decoded<T> {
  return { ok: false, reason };
}

/** Decodes an entry payload (copying its data out of `buffer`). */
export function decodeEntry(buffer: Buffer, start: number, end: number): Decoded<Entry> {
  if (end - start < entryFixedBytes) return fail(`entry payload of ${end - start} bytes is too short`);
  const term = readU64(buffer, start);
  const index = readU64(buffer, start + 8);
  const type = buffer[start + 16]!;
  if (term === undefined || index === undefined) return fail('entry term or index out of range');
  if (index === 0) return fail('entry index 0');
  if (type !== EntryType.Normal && type !== EntryType.ConfChange && type !== EntryType.ConfChangeV2) return fail(`unknown entry type ${type}`);
  return { ok: true, value: { term, index, type, data: buffer.subarray(start + entryFixedBytes, end).slice() } };
}

/** Decodes a hard state payload. */
export function decodeHardState(buffer: Buffer, start: number, end: number): Decoded<HardState> {
  if (end - start !== hardStateBytes) return fail(`hard state payload of ${end - start} bytes, expected ${hardStateBytes}`);
  const term = readU64(buffer, start);
  const commit = readU64(buffer, start + 16);
  if (term === undefined || commit === undefined) return fail('hard state term or commit out of range');
  return { ok: true, value: { term, vote: buffer.readBigUInt64LE(start + 8), commit } };
}

/** Decodes a snapshot mark payload. */
export function decodeSnapshotMark(buffer: Buffer, start: number, end: number): Decoded<SnapshotMark> {
  if (end - start !== snapshotMarkBytes) return fail(`snapshot mark payload of ${end - start} bytes, expected ${snapshotMarkBytes}`);
  const index = readU64(buffer, start);
  const term = readU64(buffer, start + 8);
  if (index === undefined || term === undefined) return fail('snapshot mark index or term out of range');
  return { ok: true, value: { index, term } };
}

/** Decodes a segment header payload, refusing other formats and versions. */
export function decodeSegmentHeader(buffer: Buffer, start: number, end: number): Decoded<SegmentHeader> {
  if (end - start !== segmentHeaderBytes) return fail(`segment header payload of ${end - start} bytes, expected ${segmentHeaderBytes}`);
  if (!buffer.subarray(start, start + 8).equals(segmentMagic)) return fail('not a Cairn WAL segment (bad magic)');
  const formatVersion = buffer.readUInt32LE(start + 8);
  if (formatVersion !== walFormatVersion) return fail(`unsupported WAL format version ${formatVersion}`);
  const sequence = readU64(buffer, start + 12);
  const firstIndex = readU64(buffer, start + 20);
  if (sequence === undefined || firstIndex === undefined) return fail('segment sequence or first index out of range');
  return { ok: true, value: { formatVersion, sequence, firstIndex } };
}
