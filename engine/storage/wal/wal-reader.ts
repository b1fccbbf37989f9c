// Reads every segment of a WAL directory, verifying each record right after reading it back, and decides
// what a bad record means:
//   - zeroes from the bad record to the end of the file: the unused, pre-allocated end of a segment;
//   - anything else in a segment that is not the last: corruption (the WAL refuses to open);
//   - in the last segment, a bad record followed by a valid record: corruption, because a valid record after it
//     may have been acknowledged, and dropping it would lose a write the member promised to keep;
//   - in the last segment, a bad record with nothing valid after it: a torn tail, the unfinished write of a
//     crash. It was never acknowledged (acknowledgement waits for fdatasync), so it is cut off with a warning.
import { readRecord, recordHeaderBytes, WalRecordType, type RecordView } from './wal-record.ts';
import { decodeEntry, decodeHardState, decodeSegmentHeader, decodeSnapshotMark, type Decoded } from './wal-payloads.ts';
import { LogReplay, type RecordPlace } from './wal-replay.ts';
import { WalCorruptionError } from './wal-corruption-error.ts';
import { listSegments, type SegmentName } from './wal-segments.ts';
import type { WalFileSystem } from './wal-file-system.ts';

/** Where appending continues after a WAL has been read. */
export interface WalTail {
  segment: SegmentName;
  /** Offset of the first byte after the last valid record of the last segment. */
  writeOffsetBytes: number;
  /** Whether bytes after `writeOffsetBytes` must be cleared (a torn record) before appending. */
  torn: boolean;
}

/** Everything read from a WAL directory. */
export interface WalReadResult {
  replay: LogReplay;
  segments: SegmentName[];
  tail: WalTail;
  warnings: string[];
}

/** Reads and checks all segments of `directory`. Entries are collected after `snapshotIndex` when asked. */
export async function readWal(fileSystem: WalFileSystem, directory: string, snapshotIndex: number, collectEntries: boolean): Promise<WalReadResult> {
  const segments = await listSegments(fileSystem, directory);
  if (segments.length === 0) throw new Error(`wal: no segment files in ${directory}`);
  const replay = new LogReplay(snapshotIndex, collectEntries);
  const warnings: string[] = [];
  let tail: WalTail | undefined;
  for (let position = 0; position < segments.length; position++) {
    const segment = segments[position]!;
    const isLast = position === segments.length - 1;
    const buffer = await fileSystem.readFile(segment.file);
    const end = readSegment(buffer, segment, isLast, replay, warnings);
    if (isLast) tail = { segment, writeOffsetBytes: end.offsetBytes, torn: end.torn };
  }
  return { replay, segments, tail: tail!, warnings };
}

interface SegmentEnd {
  offsetBytes: number;
  torn: boolean;
}

/** Replays one segment's records; returns where its valid records end. */
function readSegment(buffer: Buffer, segment: SegmentName, isLast: boolean, replay: LogReplay, warnings: string[]): SegmentEnd {
  let offset = 0;
  while (offset < buffer.length) {
    const read = readRecord(buffer, offset, buffer.length);
    if (!read.ok) return badRecord(buffer, segment, isLast, offset, read.reason, warnings);
    applyRecord(buffer, read.record, segment, { file: segment.file, offsetBytes: offset }, replay);
    offset = read.record.next;
  }
  if (offset === 0) throw new WalCorruptionError(segment.file, 0, 'empty segment file');
  return { offsetBytes: offset, torn: false };
}

function badRecord(buffer: Buffer, segment: SegmentName, isLast: boolean, offset: number, reason: string, warnings: string[]): SegmentEnd {
  if (offset === 0) throw new WalCorruptionError(segment.file, 0, `bad segment header: ${reason}`);
  if (isZero(buffer, offset, buffer.length)) return { offsetBytes: offset, torn: false };
  if (!isLast) throw new WalCorruptionError(segment.file, offset, `${reason} (not the last segment)`);
  const following = findValidRecord(buffer, offset + recordHeaderBytes);
  if (following !== undefined) {
    throw new WalCorruptionError(segment.file, offset, `${reason}; a valid record follows at byte offset ${following}`);
  }
  warnings.push(`wal: torn write at the end of ${segment.file}: truncated at byte offset ${offset} (${reason})`);
  return { offsetBytes: offset, torn: true };
}

/** Verifies a decoded record's place in the segment and hands it to the replay. */
function applyRecord(buffer: Buffer, record: RecordView, segment: SegmentName, place: RecordPlace, replay: LogReplay): void {
  const { payloadStart, payloadEnd } = record;
  const isFirst = place.offsetBytes === 0;
  if (isFirst !== (record.type === WalRecordType.SegmentHeader)) {
    throw new WalCorruptionError(place.file, place.offsetBytes, isFirst ? 'segment does not start with a segment header' : 'segment header in the middle of a segment');
  }
  switch (record.type) {
    case WalRecordType.SegmentHeader: {
      const header = decoded(decodeSegmentHeader(buffer, payloadStart, payloadEnd), place);
      if (header.sequence !== segment.sequence || header.firstIndex !== segment.firstIndex) {
        throw new WalCorruptionError(place.file, 0, `header says sequence ${header.sequence}, first index ${header.firstIndex}; the file name disagrees`);
      }
      return replay.segment(header, place);
    }
    case WalRecordType.Metadata:
      return replay.metadataRecord(buffer.subarray(payloadStart, payloadEnd).slice(), place);
    case WalRecordType.Entry:
      return replay.entryRecord(decoded(decodeEntry(buffer, payloadStart, payloadEnd), place), place);
    case WalRecordType.HardState:
      return replay.hardStateRecord(decoded(decodeHardState(buffer, payloadStart, payloadEnd), place));
    case WalRecordType.SnapshotMark:
      return replay.snapshotMarkRecord(decoded(decodeSnapshotMark(buffer, payloadStart, payloadEnd), place));
  }
}

function decoded<T>(result: Decoded<T>, place: RecordPlace): T {
  if (!result.ok) throw new WalCorruptionError(place.file, place.offsetBytes, result.reason);
  return result.value;
}

const zeroChunk = Buffer.alloc(64 * 1024);

/** Whether `buffer[start, end)` holds only zero bytes (compared natively, a chunk at a time). */
export function isZero(buffer: Buffer, start: number, end: number): boolean {
  for (let offset = start; offset < end; offset += zeroChunk.length) {
    const length = Math.min(zeroChunk.length, end - offset);
    if (buffer.compare(zeroChunk, 0, length, offset, offset + length) !== 0) return false;
  }
  return true;
}

/** The offset of the first valid record at an 8-byte aligned offset at or after `from`, if any. */
function findValidRecord(buffer: Buffer, from: number): number | undefined {
  for (let offset = (from + 7) & ~7; offset + recordHeaderBytes < buffer.length; offset += 8) {
    const length = buffer.readUInt32LE(offset);
    // Cheap plausibility tests first: most offsets in garbage or zeroes fail them without a CRC.
    if (length === 0 || offset + recordHeaderBytes + length > buffer.length) continue;
    const type = buffer[offset + recordHeaderBytes]!;
    if (type < WalRecordType.SegmentHeader || type > WalRecordType.SnapshotMark) continue;
    if (readRecord(buffer, offset, buffer.length).ok) return offset;
  }
  return undefined;
}
