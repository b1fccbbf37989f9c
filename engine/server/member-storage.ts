// A member's Raft storage: the write-ahead log and Raft snapshot records on disk, and etcd-style
// MemoryStorage in front of them, which is what the Raft core reads. Every Ready's hard state and entries go
// to the WAL first and to memory after they are written, so Raft never sees an entry a crash could lose.
//
// Every `snapshotCount` applied entries, once the backend is durable at least that far, the member records a
// Raft snapshot (index, term, configuration; the backend itself is the state) and releases the WAL segments
// before it, so the log on disk stays bounded and a restart replays only the entries after the snapshot.
import path from 'node:path';
import type { Logger } from '../common/logger.ts';
import type { ConfState, Entry, HardState, Snapshot, SnapshotMetadata } from '../raft/types.ts';
import { MemoryStorage } from '../raft/memory-storage.ts';
import { Wal } from '../storage/wal/wal.ts';
import { snapshotBackendFileName, Snapshotter } from '../storage/snapshot/snapshotter.ts';

/** Entries kept in memory behind a snapshot, so a slightly slow follower catches up without one (etcd: 5000). */
const snapshotCatchUpEntries = 5000;

/** What the member's storage needs to decide and take snapshots. */
export interface MemberStorageOptions {
  snapshotCount: number;
  /** The configuration as of the last applied entry. */
  confState: () => ConfState;
  logger: Logger;
}

/** The storage the server drives. */
export class MemberStorage {
  private snapshotIndex: number;

  constructor(
    readonly wal: Wal,
    readonly raftStorage: MemoryStorage,
    private readonly snapshotter: Snapshotter,
    private readonly options: MemberStorageOptions,
  ) {
    this.snapshotIndex = raftStorage.snapshot().metadata.index;
  }

  /**
   * Persists one Ready: WAL first (durably when `sync`), then the in-memory copy Raft reads. A snapshot from the
   * leader comes with `backendCopyFile`, which is moved beside the snapshot record before the WAL marks it, so
   * that a restart can always install the backend the mark refers to.
   */
  async save(hardState: HardState | undefined, entries: Entry[], snapshot: Snapshot | undefined, sync: boolean, backendCopyFile?: string): Promise<void> {
    if (snapshot) {
      await this.snapshotter.save(snapshot, backendCopyFile);
      await this.wal.saveSnapshotMark({ index: snapshot.metadata.index, term: snapshot.metadata.term });
      this.raftStorage.applySnapshot(snapshot);
      this.snapshotIndex = snapshot.metadata.index;
    }
    if (hardState !== undefined || entries.length > 0) await this.wal.save(hardState, entries, { sync });
    if (entries.length > 0) this.raftStorage.append(entries);
    if (hardState) this.raftStorage.setHardState(hardState);
  }

  /** The applied index at which the next snapshot is due (`snapshotCount` entries after the last one). */
  snapshotDueIndex(): number {
    return this.snapshotIndex + this.options.snapshotCount;
  }

  /** The backend is durable up to `appliedIndex`: take a snapshot there when one is due. */
  async onBackendSynced(appliedIndex: number): Promise<void> {
    if (appliedIndex - this.snapshotIndex < this.options.snapshotCount) return;
    if (appliedIndex > this.raftStorage.lastIndex()) return;
    const snapshot = this.raftStorage.createSnapshot(appliedIndex, this.options.confState(), new Uint8Array());
    await this.snapshotter.save(snapshot);
    await this.wal.saveSnapshotMark({ index: snapshot.metadata.index, term: snapshot.metadata.term });
    this.snapshotIndex = appliedIndex;
    const compactIndex = appliedIndex - snapshotCatchUpEntries;
    if (compactIndex > this.raftStorage.firstIndex()) this.raftStorage.compact(compactIndex);
    await this.wal.releaseTo(appliedIndex);
    this.options.logger.info('saved snapshot', { 'snapshot-index': appliedIndex, 'snapshot-term': snapshot.metadata.term });
  }

  /**
   * What a snapshot message to a lagging or new member says (etcd's createMergedSnapshotMessage): the stored
   * snapshot's metadata moved up to `appliedIndex`, with the membership as applied now. The backend copy that
   * travels with the message is taken at send time, so it holds at least `appliedIndex`; and a member added after
   * the stored snapshot was taken must find itself in the configuration, or its Raft refuses the snapshot.
   */
  mergedSnapshotMetadata(stored: SnapshotMetadata, appliedIndex: number): SnapshotMetadata {
    if (appliedIndex <= stored.index) return stored;
    return { index: appliedIndex, term: this.raftStorage.term(appliedIndex), confState: this.options.confState() };
  }

  /** Where the backend copy of the snapshot at `term` and `index` is kept (if it came with one). */
  snapshotBackendPath(term: number, index: number): string {
    return path.join(this.snapshotter.directory, snapshotBackendFileName(term, index));
  }

  /** Closes the WAL. */
  async close(): Promise<void> {
    await this.wal.close();
  }
}

/** What a restarting member reads back: the newest usable snapshot and the WAL after it. */
export interface RestoredLog {
  wal: Wal;
  metadata: Uint8Array;
  raftStorage: MemoryStorage;
  warnings: string[];
  commitIndex: number;
  entryCount: number;
}

/** Opens the WAL after the newest snapshot whose mark the WAL holds, and loads both into a MemoryStorage. */
export async function restoreLog(walDirectory: string, snapshotter: Snapshotter): Promise<RestoredLog> {
  const marks = await Wal.readSnapshotMarks(walDirectory);
  const record = await snapshotter.loadNewest(marks);
  const snapshot = record?.snapshot;
  const opened = await Wal.open(walDirectory, snapshot ? { snapshotIndex: snapshot.metadata.index, snapshotTerm: snapshot.metadata.term } : {});
  const storage = new MemoryStorage();
  if (snapshot) storage.applySnapshot(snapshot);
  if (opened.entries.length > 0) storage.append(opened.entries);
  if (opened.hardState) storage.setHardState(opened.hardState);
  return {
    wal: opened.wal,
    metadata: opened.metadata,
    raftStorage: storage,
    warnings: opened.warnings,
    commitIndex: opened.hardState?.commit ?? 0,
    entryCount: opened.entries.length,
  };
}
