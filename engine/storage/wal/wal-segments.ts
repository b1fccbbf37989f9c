// Segment file names and the list of segments in a WAL directory. A segment is named after its sequence
// number and the index of the first entry appended to it, both as 16 hex digits, as etcd names its files:
// `000000000000002a-0000000000012c01.wal`. The names make `releaseTo` possible without opening any file.
import path from 'node:path';
import type { WalFileSystem } from './wal-file-system.ts';

/** A segment file, as its name describes it. */
export interface SegmentName {
  file: string;
  sequence: number;
  firstIndex: number;
}

const segmentPattern = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;

/** The file name of a segment. */
export function segmentFileName(sequence: number, firstIndex: number): string {
  return `${sequence.toString(16).padStart(16, '0')}-${firstIndex.toString(16).padStart(16, '0')}.wal`;
}

/** Parses a segment file name; undefined for other files. */
export function parseSegmentFileName(name: string): Omit<SegmentName, 'file'> | undefined {
  const match = segmentPattern.exec(name);
  if (!match) return undefined;
  const sequence = Number.parseInt(match[1]!, 16);
  const firstIndex = Number.parseInt(match[2]!, 16);
  if (!Number.isSafeInteger(sequence) || !Number.isSafeInteger(firstIndex)) return undefined;
  return { sequence, firstIndex };
}

/** The suffix of a segment being created; such a file is never part of the log. */
export const temporarySuffix = '.tmp';

/**
 * The segments of `directory` in sequence order. Refuses a WAL whose sequence numbers have a gap: a segment
 * file went missing. (First indexes may go backwards: Raft can overwrite an uncommitted tail across a cut.)
 */
export async function listSegments(fileSystem: WalFileSystem, directory: string): Promise<SegmentName[]> {
  const segments: SegmentName[] = [];
  for (const name of await fileSystem.readdir(directory)) {
    const parsed = parseSegmentFileName(name);
    if (parsed) segments.push({ file: path.join(directory, name), ...parsed });
  }
  segments.sort((a, b) => a.sequence - b.sequence);
  for (let position = 1; position < segments.length; position++) {
    const previous = segments[position - 1]!;
    const current = segments[position]!;
    if (current.sequence !== previous.sequence + 1) {
      throw new Error(`wal: segment sequence jumps from ${previous.file} to ${current.file}; a segment is missing`);
    }
  }
  return segments;
}
