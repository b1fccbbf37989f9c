// Rebuilds the member's durable Raft state from the WAL's records, in order, checking that they make sense
// together: one metadata value, entry indexes that continue the log or overwrite its uncommitted tail, never
// a committed entry overwritten. A failed check names the record (via WalCorruptionError), because a log
// that breaks these rules was damaged or written by a bug, and starting from it could break Raft's safety.
import type { Entry, HardState } from '../../raft/types.ts';
import { WalCorruptionError } from './wal-corruption-error.ts';
import type { SegmentHeader, SnapshotMark } from './wal-payloads.ts';

/** Where a record was read, for error messages. */
export interface RecordPlace {
  file: string;
  offsetBytes: number;
}

/** The state accumulated from a WAL's records. */
export class LogReplay {
  metadata: Uint8Array | undefined;
  hardState: HardState | undefined;
  readonly snapshotMarks: SnapshotMark[] = [];
  /** Entries with index > snapshotIndex, contiguous, with overwrites applied. */
  readonly entries: Entry[] = [];
  /** The log's last index (of an entry, or of a snapshot mark that replaced the log). */
  lastIndex = 0;
  lastTerm = 0;
  /** The index of the last snapshot mark that replaced the whole log (a snapshot received from the leader). */
  replacedAtIndex = 0;
  private segments = 0;

  constructor(
    private readonly snapshotIndex: number,
    private readonly collectEntries: boolean,
  ) {}

  /** A segment starts: its first index must continue the log (the first segment read seeds the log). */
  segment(header: SegmentHeader, place: RecordPlace): void {
    if (this.segments === 0) {
      this.lastIndex = Math.max(header.firstIndex - 1, 0);
    } else if (header.firstIndex !== this.lastIndex + 1) {
      throw new WalCorruptionError(place.file, place.offsetBytes, `segment starts at index ${header.firstIndex} but the log ends at ${this.lastIndex}`);
    }
    this.segments++;
  }

  metadataRecord(metadata: Uint8Array, place: RecordPlace): void {
    if (this.metadata && !Buffer.from(this.metadata).equals(metadata)) {
      throw new WalCorruptionError(place.file, place.offsetBytes, 'metadata differs from the metadata of earlier segments');
    }
    this.metadata = metadata;
  }

  hardStateRecord(hardState: HardState): void {
    this.hardState = hardState;
  }

  snapshotMarkRecord(mark: SnapshotMark): void {
    const last = this.snapshotMarks[this.snapshotMarks.length - 1];
    // Every segment repeats the latest mark in its opening records; list each mark once.
    if (!last || last.index !== mark.index || last.term !== mark.term) this.snapshotMarks.push(mark);
    if (mark.index > this.lastIndex) {
      this.lastIndex = mark.index;
      this.lastTerm = mark.term;
      this.replacedAtIndex = mark.index;
    }
  }

  entryRecord(entry: Entry, place: RecordPlace): void {
    if (entry.index > this.lastIndex + 1) {
      throw new WalCorruptionError(place.file, place.offsetBytes, `entry index ${entry.index} leaves a gap after index ${this.lastIndex}`);
    }
    const commit = this.hardState?.commit ?? 0;
    if (entry.index <= this.lastIndex && entry.index <= commit) {
      throw new WalCorruptionError(place.file, place.offsetBytes, `entry index ${entry.index} overwrites a committed entry (commit ${commit})`);
    }
    if (this.collectEntries && entry.index > this.snapshotIndex) this.collect(entry, place);
    else if (this.entries.length > 0) this.entries.length = 0; // overwritten from below the snapshot index
    this.lastIndex = entry.index;
    this.lastTerm = entry.term;
  }

  private collect(entry: Entry, place: RecordPlace): void {
    const position = entry.index - (this.snapshotIndex + 1);
    // etcd's rule: an entry at index i replaces every entry from i on.
    if (position < this.entries.length) this.entries.length = position;
    if (position > this.entries.length && this.replacedAtIndex > this.snapshotIndex) {
      throw new Error(`wal: the log was replaced by the snapshot at index ${this.replacedAtIndex}; the snapshot at index ${this.snapshotIndex} is too old`);
    }
    if (position > this.entries.length) {
      const missingFrom = this.snapshotIndex + 1 + this.entries.length;
      throw new WalCorruptionError(
        place.file,
        place.offsetBytes,
        `entries ${missingFrom} to ${entry.index - 1} are missing after the snapshot at index ${this.snapshotIndex} (released or lost)`,
      );
    }
    this.entries.push(entry);
  }
}
