// The write-ahead log: where a member makes its Raft hard state and log entries durable before it acts on them.
//
// On-disk format (Cairn's own; README.md beside this file has the rationale and the measurements)
//
//   A WAL is a directory of segment files named `<sequence>-<firstIndex>.wal` (16 hex digits each), numbered
//   from 0 without gaps. A segment is a sequence of records, each starting at an 8-byte aligned offset:
//
//     [length u32 LE][crc32c u32 LE][type u8][payload][zero padding to a multiple of 8]
//
//   `length` counts type + payload; the CRC-32C covers the same bytes. Checksums are per record, not chained
//   as in etcd: each record verifies on its own, so recovery can tell a torn tail from a damaged record in
//   the middle by checking whether any valid record follows the bad one; order and completeness are checked
//   by the contents instead (segment sequence numbers, the segment header's first index, contiguous entry
//   indexes). Record types and payloads (integers little-endian, u64 unless noted):
//
//     1 segment header  "CAIRNWAL", format version u32 (1), sequence, first index
//     2 metadata        opaque bytes given to Wal.create (the server stores member and cluster IDs)
//     3 entry           term, index, entry type u8, data
//     4 hard state      term, vote, commit
//     5 snapshot mark   index, term of a snapshot the member saved
//
//   Every segment opens with a segment header, the metadata, and the latest hard state and snapshot mark, so
//   that releasing older segments never loses them. One save writes its entries and then its hard state.
//
//   Segments are pre-allocated to `segmentBytes` with ftruncate: appending into space that already belongs to
//   the file spares fdatasync the size update it needs after every growing write (measured on ext4: about
//   120 us instead of 170 us per write + fdatasync). Unused space reads as zeroes, and zero is not a record
//   length, so the end of the log is where the first invalid record is found. A full segment is cut back to
//   its used length before the next one is created (as `.tmp`, then renamed once its first records are
//   durable), so a segment that is not the last ends exactly at its last record.
//
// Group commit: save() encodes and checks its records at once (so that the order of calls is the order on
// disk) and queues them. One writer loop takes everything queued, writes it with a single writev, and calls
// fdatasync once for the whole batch; saves that arrive meanwhile wait for the next batch. A save resolves
// when its records are durable (or merely written, for `sync: false`). An I/O error fails the WAL for good:
// after a failed fdatasync the page cache can no longer be trusted to match the disk.
import path from 'node:path';
import { assert, AssertionError } from '../../common/assert.ts';
import { walGroupEntriesMax, walGroupSavesMax, walRecordBytesMax, walSegmentBytes } from '../../common/limits.ts';
import type { Entry, HardState } from '../../raft/types.ts';
import { nodeWalFileSystem, type WalFileSystem } from './wal-file-system.ts';
import { encodeSave, encodeSegmentStart, encodeSnapshotMark, walFormatVersion, type SnapshotMark } from './wal-payloads.ts';
import { readWal } from './wal-reader.ts';
import { verifyRecords } from './wal-record.ts';
import { listSegments, segmentFileName, temporarySuffix, type SegmentName } from './wal-segments.ts';

export type { SnapshotMark } from './wal-payloads.ts';
export { WalCorruptionError } from './wal-corruption-error.ts';

/** Options shared by Wal.create and Wal.open. */
export interface WalOptions {
  /** Segment size: pre-allocated, and the size at which a segment is cut (default: limits.walSegmentBytes). */
  segmentBytes?: number;
  /** The file-system seam (default: node:fs); tests count or delay fsyncs through it. */
  fileSystem?: WalFileSystem;
  /** Called after every fdatasync of a group commit with its duration (for etcd's wal_fsync metric). */
  onSync?: (syncDurationMs: number) => void;
}

/** Options of Wal.open. */
export interface WalOpenOptions extends WalOptions {
  /**
   * Index of the snapshot the caller loaded (or of the state it holds otherwise, such as the backend's applied
   * index); entries after it are returned, and they must all still be in the WAL. 0 (default): from the start.
   */
  snapshotIndex?: number;
  /** Term of that snapshot; when given, the WAL must hold a snapshot mark with this index and term (as etcd). */
  snapshotTerm?: number;
}

/** What Wal.open read back. */
export interface WalOpened {
  wal: Wal;
  metadata: Uint8Array;
  /** The last hard state saved; undefined if none was. */
  hardState: HardState | undefined;
  /** The last snapshot mark saved; undefined if none was. */
  snapshotMark: SnapshotMark | undefined;
  /** Every snapshot mark still in the WAL, oldest first (to pick the newest snapshot file that is usable). */
  snapshotMarks: SnapshotMark[];
  /** The entries after `snapshotIndex`, contiguous, with overwritten tails replaced. */
  entries: Entry[];
  /** Torn tails that were cut off (one message each, naming the file and byte offset). */
  warnings: string[];
}

/** Options of Wal.save. */
export interface WalSaveOptions {
  /** Wait for fdatasync (Raft's Ready.mustSync). Without it the save resolves once written. */
  sync: boolean;
}

/** The segment being appended to. */
interface ActiveSegment extends SegmentName {
  fd: number;
  offsetBytes: number;
}

/** One queued save, with the log position it leaves behind (used to open the next segment). */
interface PendingWrite {
  buffer: Buffer;
  entryCount: number;
  sync: boolean;
  lastIndex: number;
  hardState: HardState | undefined;
  mark: SnapshotMark | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** What a new segment repeats in its opening records, and the index its first entry follows. */
interface WrittenPosition {
  lastIndex: number;
  hardState: HardState | undefined;
  mark: SnapshotMark | undefined;
}

/** The log's position, as far as saves accepted so far (queued or written) take it. */
interface LogPosition extends WrittenPosition {
  lastTerm: number;
}

/** A write-ahead log directory, open for appending. */
export class Wal {
  private readonly queue: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;
  private syncs = 0;
  /** Whether bytes were written since the last fdatasync. */
  private dirty = false;
  /** What is on disk (written, not necessarily synced): the state a newly cut segment starts with. */
  private written: WrittenPosition;

  private constructor(
    private readonly directory: string,
    private readonly metadata: Uint8Array,
    private readonly segments: SegmentName[],
    private active: ActiveSegment,
    private accepted: LogPosition,
    private readonly fileSystem: WalFileSystem,
    private readonly segmentBytes: number,
    private readonly onSync: ((syncDurationMs: number) => void) | undefined,
  ) {
    this.written = { ...accepted };
  }

  /** Creates a WAL in `directory` (created if missing; must hold no segments) with its first segment. */
  static async create(directory: string, metadata: Uint8Array, options: WalOptions = {}): Promise<Wal> {
    const fileSystem = options.fileSystem ?? nodeWalFileSystem;
    const segmentBytes = options.segmentBytes ?? walSegmentBytes;
    assert(metadata.length <= walRecordBytesMax, 'wal: metadata too large');
    await fileSystem.mkdir(directory);
    if ((await listSegments(fileSystem, directory)).length > 0) throw new Error(`wal: ${directory} already holds a WAL`);
    await removeTemporaryFiles(fileSystem, directory);
    const position: LogPosition = { lastIndex: 0, lastTerm: 0, hardState: undefined, mark: undefined };
    const active = await createSegment(fileSystem, directory, 0, 0, metadata, position, segmentBytes);
    await fileSystem.fsyncDirectory(path.dirname(directory));
    const segments = [{ file: active.file, sequence: active.sequence, firstIndex: active.firstIndex }];
    return new Wal(directory, metadata, segments, active, position, fileSystem, segmentBytes, options.onSync);
  }

  /**
   * Opens the WAL in `directory`: reads and checks every segment, cuts off a torn tail (reported in
   * `warnings`), and returns the WAL ready for appending with what was read. Throws WalCorruptionError,
   * naming the file and byte offset, when a record in the middle of the log is damaged.
   */
  static async open(directory: string, options: WalOpenOptions = {}): Promise<WalOpened> {
    const fileSystem = options.fileSystem ?? nodeWalFileSystem;
    const segmentBytes = options.segmentBytes ?? walSegmentBytes;
    const snapshotIndex = options.snapshotIndex ?? 0;
    await removeTemporaryFiles(fileSystem, directory);
    const { replay, segments, tail, warnings } = await readWal(fileSystem, directory, snapshotIndex, true);
    const marks = replay.snapshotMarks;
    const term = options.snapshotTerm;
    if (snapshotIndex > 0 && term !== undefined && !marks.some((mark) => mark.index === snapshotIndex && mark.term === term)) {
      throw new Error(`wal: no snapshot mark for the snapshot at index ${snapshotIndex}, term ${term}`);
    }
    if (replay.replacedAtIndex > snapshotIndex) {
      throw new Error(`wal: the log was replaced by the snapshot at index ${replay.replacedAtIndex}; the snapshot at index ${snapshotIndex} is too old`);
    }
    assert(replay.metadata !== undefined, 'wal: a segment without metadata was accepted');
    const fd = await fileSystem.open(tail.segment.file, false);
    if (tail.torn) {
      // Zero the torn bytes (cut, then re-extend): the next open must not find them again behind new records.
      await fileSystem.ftruncate(fd, tail.writeOffsetBytes);
    }
    await fileSystem.ftruncate(fd, Math.max(segmentBytes, tail.writeOffsetBytes));
    if (tail.torn) await fileSystem.fdatasync(fd);
    const active: ActiveSegment = { ...tail.segment, fd, offsetBytes: tail.writeOffsetBytes };
    const position: LogPosition = { lastIndex: replay.lastIndex, lastTerm: replay.lastTerm, hardState: replay.hardState, mark: marks[marks.length - 1] };
    const wal = new Wal(directory, replay.metadata, segments, active, position, fileSystem, segmentBytes, options.onSync);
    return { wal, metadata: replay.metadata, hardState: replay.hardState, snapshotMark: position.mark, snapshotMarks: marks, entries: replay.entries, warnings };
  }

  /** The snapshot marks in the WAL in `directory`, oldest first, without opening it for appending. */
  static async readSnapshotMarks(directory: string, options: Pick<WalOptions, 'fileSystem'> = {}): Promise<SnapshotMark[]> {
    const { replay } = await readWal(options.fileSystem ?? nodeWalFileSystem, directory, 0, false);
    return replay.snapshotMarks;
  }

  /** Index of the last entry accepted by save() (or of the last snapshot mark, if it replaced the log). */
  get lastIndex(): number {
    return this.accepted.lastIndex;
  }

  /** How many fdatasync calls group commits have made (for tests and metrics). */
  get syncCount(): number {
    return this.syncs;
  }

  /**
   * Appends `entries` and then `hardState`. Resolves once they are durable (or written, when `sync` is
   * false). Entries must continue the log or overwrite its uncommitted tail; a violation is a caller bug and
   * throws an AssertionError at once.
   */
  save(hardState: HardState | undefined, entries: readonly Entry[], options: WalSaveOptions = { sync: true }): Promise<void> {
    if (!hardState && entries.length === 0) return this.barrier(options.sync);
    const next = this.checkSave(hardState, entries);
    return this.enqueue(encodeSave(entries, hardState), entries.length, options.sync, next);
  }

  /**
   * Records, durably, that a snapshot at `mark` was saved; the log before it may then be released. A mark
   * beyond the last index replaces the log (a snapshot received from the leader): save it before the entries
   * that follow it.
   */
  saveSnapshotMark(mark: SnapshotMark): Promise<void> {
    assert(Number.isSafeInteger(mark.index) && mark.index > 0 && Number.isSafeInteger(mark.term), 'wal: bad snapshot mark');
    const replaces = mark.index > this.accepted.lastIndex;
    const next: LogPosition = {
      ...this.accepted,
      mark,
      lastIndex: replaces ? mark.index : this.accepted.lastIndex,
      lastTerm: replaces ? mark.term : this.accepted.lastTerm,
    };
    return this.enqueue(encodeSnapshotMark(mark), 0, true, next);
  }

  /**
   * Deletes the segment files whose entries all have indexes below `index`. The segment holding `index`, and
   * the segment being appended to, are kept.
   */
  async releaseTo(index: number): Promise<void> {
    let released = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstIndex <= index) {
      const segment = this.segments.shift()!;
      await this.fileSystem.unlink(segment.file);
      released++;
    }
    if (released > 0) await this.fileSystem.fsyncDirectory(this.directory);
  }

  /** Waits for queued saves, then closes the segment file. Later saves are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    if (this.active.fd >= 0) await this.fileSystem.close(this.active.fd);
  }

  /** The checks of a save against the accepted log; returns the position the save leads to. */
  private checkSave(hardState: HardState | undefined, entries: readonly Entry[]): LogPosition {
    const previous = this.accepted;
    let lastIndex = previous.lastIndex;
    let lastTerm = previous.lastTerm;
    if (entries.length > 0) {
      const first = entries[0]!;
      const commit = previous.hardState?.commit ?? 0;
      if (!(first.index >= 1 && first.index <= lastIndex + 1)) throw new AssertionError(`wal: entry ${first.index} does not continue the log ending at ${lastIndex}`);
      if (!(first.index > commit)) throw new AssertionError(`wal: entry ${first.index} would overwrite a committed entry (commit ${commit})`);
      if (!(first.index <= lastIndex || first.term >= lastTerm)) throw new AssertionError(`wal: entry ${first.index} has term ${first.term} below the log's last term ${lastTerm}`);
      for (let position = 0; position < entries.length; position++) {
        const entry = entries[position]!;
        if (!(entry.index === first.index + position)) throw new AssertionError(`wal: entries are not contiguous at index ${entry.index}`);
        if (!(position === 0 || entry.term >= entries[position - 1]!.term)) throw new AssertionError(`wal: entry terms decrease at index ${entry.index}`);
        if (!(entry.data.length <= walRecordBytesMax - 17)) throw new AssertionError(`wal: entry ${entry.index} is larger than a WAL record can be`);
      }
      lastIndex = entries[entries.length - 1]!.index;
      lastTerm = entries[entries.length - 1]!.term;
    }
    if (hardState) {
      const before = previous.hardState;
      if (!(!before || hardState.term >= before.term)) throw new AssertionError(`wal: hard state term goes back from ${before?.term} to ${hardState.term}`);
      if (!(hardState.commit <= Math.max(lastIndex, previous.mark?.index ?? 0))) throw new AssertionError(`wal: commit ${hardState.commit} is beyond the last index ${lastIndex}`);
    }
    return { lastIndex, lastTerm, hardState: hardState ?? previous.hardState, mark: previous.mark };
  }

  /** Resolves when everything saved before it is written (and synced, if `sync`). */
  private barrier(sync: boolean): Promise<void> {
    return this.enqueue(Buffer.alloc(0), 0, sync, this.accepted);
  }

  private enqueue(buffer: Buffer, entryCount: number, sync: boolean, next: LogPosition): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('wal: closed'));
    this.accepted = next;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buffer, entryCount, sync, lastIndex: next.lastIndex, hardState: next.hardState, mark: next.mark, resolve, reject });
      // Start on a microtask, not now: saves made in the same turn then share the first batch too.
      if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flushLoop());
    });
  }

  /** Writes queued saves batch by batch until the queue is empty. */
  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.writeBatch(batch);
        } catch (error) {
          this.fail(error as Error, batch);
          return;
        }
        for (const pending of batch) pending.resolve();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** The next group: as many queued saves as the bounds allow, and always at least one. */
  private takeBatch(): PendingWrite[] {
    let entries = 0;
    let count = 0;
    while (count < this.queue.length && count < walGroupSavesMax) {
      const pending = this.queue[count]!;
      if (count > 0 && entries + pending.entryCount > walGroupEntriesMax) break;
      entries += pending.entryCount;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    if (this.active.offsetBytes >= this.segmentBytes) await this.cut();
    const buffers = batch.map((pending) => pending.buffer).filter((buffer) => buffer.length > 0);
    // Check the bytes right before they go to disk: a bug or memory corruption since encoding shows here.
    for (const buffer of buffers) verifyRecords(buffer);
    await this.writeFully(buffers);
    const last = batch[batch.length - 1]!;
    this.written = { lastIndex: last.lastIndex, hardState: last.hardState, mark: last.mark };
    if (buffers.length > 0) this.dirty = true;
    if (this.dirty && batch.some((pending) => pending.sync)) {
      const started = performance.now();
      await this.fileSystem.fdatasync(this.active.fd);
      this.dirty = false;
      this.syncs++;
      this.onSync?.(performance.now() - started);
    }
  }

  /** Writes `buffers` at the active segment's write offset, continuing after short writes. */
  private async writeFully(buffers: Buffer[]): Promise<void> {
    let remaining = buffers;
    while (remaining.length > 0) {
      const expected = remaining.reduce((sum, buffer) => sum + buffer.length, 0);
      const written = await this.fileSystem.writev(this.active.fd, remaining, this.active.offsetBytes);
      assert(written > 0, 'wal: writev wrote nothing');
      this.active.offsetBytes += written;
      if (written === expected) return;
      remaining = dropBytes(remaining, written);
    }
  }

  /** Closes the full segment at its used length and starts the next one. */
  private async cut(): Promise<void> {
    const finished = this.active;
    await this.fileSystem.ftruncate(finished.fd, finished.offsetBytes);
    await this.fileSystem.fdatasync(finished.fd);
    this.dirty = false;
    await this.fileSystem.close(finished.fd);
    // Never close this descriptor again (close() after a failed cut), its number may be reused by then.
    finished.fd = -1;
    const next = await createSegment(
      this.fileSystem,
      this.directory,
      finished.sequence + 1,
      this.written.lastIndex + 1,
      this.metadata,
      this.written,
      this.segmentBytes,
    );
    this.active = next;
    this.segments.push({ file: next.file, sequence: next.sequence, firstIndex: next.firstIndex });
  }

  private fail(error: Error, batch: PendingWrite[]): void {
    this.failure = new Error(`wal: write failed, the WAL is unusable until reopened: ${error.message}`, { cause: error });
    for (const pending of [...batch, ...this.queue.splice(0)]) pending.reject(this.failure);
  }
}

/** `buffers` without their first `count` bytes. */
function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = count;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}

/**
 * Creates segment `sequence` with its opening records: written and synced as `.tmp`, then renamed, so that a
 * segment file with its final name always starts with a complete header.
 */
async function createSegment(
  fileSystem: WalFileSystem,
  directory: string,
  sequence: number,
  firstIndex: number,
  metadata: Uint8Array,
  position: WrittenPosition,
  segmentBytes: number,
): Promise<ActiveSegment> {
  const file = path.join(directory, segmentFileName(sequence, firstIndex));
  const temporary = file + temporarySuffix;
  const start = encodeSegmentStart({ formatVersion: walFormatVersion, sequence, firstIndex }, metadata, position.hardState, position.mark);
  verifyRecords(start);
  const fd = await fileSystem.open(temporary, true);
  try {
    await fileSystem.ftruncate(fd, Math.max(segmentBytes, start.length));
    const written = await fileSystem.writev(fd, [start], 0);
    assert(written === start.length, 'wal: short write of a segment header');
    await fileSystem.fdatasync(fd);
    await fileSystem.rename(temporary, file);
    await fileSystem.fsyncDirectory(directory);
  } catch (error) {
    await fileSystem.close(fd);
    throw error;
  }
  return { file, sequence, firstIndex, fd, offsetBytes: start.length };
}

/** Removes `.tmp` segments left by a crash during a cut; they were never part of the log. */
async function removeTemporaryFiles(fileSystem: WalFileSystem, directory: string): Promise<void> {
  for (const name of await fileSystem.readdir(directory)) {
    if (name.endsWith(`.wal${temporarySuffix}`)) await fileSystem.unlink(path.join(directory, name));
  }
}
