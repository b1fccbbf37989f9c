// What the core reads back from durable storage. The caller writes it (from each Ready) and the core only
// reads, so an implementation may be a cache in front of a write-ahead log, as MemoryStorage is in etcd.
import type { ConfState, Entry, HardState, Snapshot } from './types.ts';

/** The state a member restarts from. */
export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/**
 * Read access to persisted Raft state. Methods throw CompactedError for indexes below firstIndex() - 1,
 * UnavailableError for indexes past lastIndex(), and snapshot() may throw SnapshotTemporarilyUnavailableError.
 */
export interface Storage {
  /** The persisted hard state and the configuration as of the latest snapshot (or bootstrap). */
  initialState(): InitialState;
  /** Entries in [lo, hi), at most maxBytes of them but at least one; a fresh array the core may extend. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** The term of entry `index`, for index in [firstIndex() - 1, lastIndex()]. */
  term(index: number): number;
  /** The index of the last entry (the snapshot's index when the log is empty). */
  lastIndex(): number;
  /** The index of the first entry that is still available (the snapshot's index + 1). */
  firstIndex(): number;
  /**
   * The most recent snapshot, sent to followers whose entries were compacted. It should be recent: a member added
   * after it was taken is not in its configuration and refuses it (etcd sends a snapshot of the current state).
   */
  snapshot(): Snapshot;
}
