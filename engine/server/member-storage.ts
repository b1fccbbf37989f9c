// A member's Raft storage: the write-ahead log on disk and etcd-style MemoryStorage in front of it, which is
// what the Raft core reads. Every Ready's hard state and entries go to the WAL first and to memory after
// they are written, so Raft never sees an entry that a crash could lose.
import type { Entry, HardState, Snapshot } from '../raft/types.ts';
import { MemoryStorage } from '../raft/memory-storage.ts';
import type { Wal } from '../storage/wal/wal.ts';

/** The storage the server drives. */
export class MemberStorage {
  constructor(
    readonly wal: Wal,
    readonly raftStorage: MemoryStorage,
  ) {}

  /** Persists one Ready: WAL first (durably when `sync`), then the in-memory copy Raft reads. */
  async save(hardState: HardState | undefined, entries: Entry[], snapshot: Snapshot | undefined, sync: boolean): Promise<void> {
    if (snapshot) {
      await this.wal.saveSnapshotMark({ index: snapshot.metadata.index, term: snapshot.metadata.term });
      this.raftStorage.applySnapshot(snapshot);
    }
    if (hardState !== undefined || entries.length > 0) await this.wal.save(hardState, entries, { sync });
    if (entries.length > 0) this.raftStorage.append(entries);
    if (hardState) this.raftStorage.setHardState(hardState);
  }

  /**
   * The backend is durable up to `appliedIndex`. The log before it is no longer needed for recovery; it is
   * kept in the WAL until replication adds snapshots that can stand in for it (a restarting member replays
   * the WAL from its start and skips what the backend already holds).
   */
  async onBackendSynced(appliedIndex: number): Promise<void> {
    void appliedIndex;
  }

  /** Closes the WAL. */
  async close(): Promise<void> {
    await this.wal.close();
  }
}

/** A fresh MemoryStorage loaded with what the WAL held. */
export function memoryStorageFrom(hardState: HardState | undefined, entries: Entry[]): MemoryStorage {
  const storage = new MemoryStorage();
  if (entries.length > 0) storage.append(entries);
  if (hardState) storage.setHardState(hardState);
  return storage;
}
