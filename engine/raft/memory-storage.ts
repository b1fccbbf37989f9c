// The in-memory Storage: entries since the last compaction, the last snapshot and the hard state. A server
// feeds it from its write-ahead log on startup and with every Ready afterwards, as etcd does.
import { AssertionError } from '../common/assert.ts';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors.ts';
import type { InitialState, Storage } from './storage.ts';
import type { ConfState, Entry, HardState, Snapshot } from './types.ts';
import { NONE } from './types.ts';
import { emptySnapshot, entrySizeBytes } from './util.ts';

/** Storage kept in memory; the caller makes it durable elsewhere. */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: NONE, commit: 0 };
  private latestSnapshot: Snapshot = emptySnapshot();
  /** Index and term of the entry just before `entries[0]` (the snapshot's, or 0/0). */
  private offsetIndex = 0;
  private offsetTerm = 0;
  private log: Entry[] = [];

  /** The persisted hard state and the configuration of the latest snapshot. */
  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: this.latestSnapshot.metadata.confState };
  }

  /** Records the hard state from a Ready. */
  setHardState(hardState: HardState): void {
    this.hardState = { ...hardState };
  }

  /** Entries in [lo, hi) limited to maxBytes (at least one). */
  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.offsetIndex) throw new CompactedError(lo);
    if (!(hi <= this.lastIndex() + 1)) throw new AssertionError(`entries' hi(${hi}) is out of bound lastindex(${this.lastIndex()})`);
    if (!(lo <= hi)) throw new AssertionError(`invalid entries range [${lo}, ${hi})`);
    if (this.log.length === 0) throw new UnavailableError(lo);
    const start = lo - this.offsetIndex - 1;
    const end = hi - this.offsetIndex - 1;
    if (start === end) return [];
    // Stop copying once the byte limit is reached rather than copying the whole range and trimming it.
    let size = entrySizeBytes(this.log[start]);
    let stop = start + 1;
    while (stop < end) {
      size += entrySizeBytes(this.log[stop]);
      if (size > maxBytes) break;
      stop++;
    }
    return this.log.slice(start, stop);
  }

  /** The term of entry `index`. */
  term(index: number): number {
    if (index < this.offsetIndex) throw new CompactedError(index);
    if (index === this.offsetIndex) return this.offsetTerm;
    if (index > this.lastIndex()) throw new UnavailableError(index);
    return this.log[index - this.offsetIndex - 1].term;
  }

  /** The last index (the snapshot's index when no entries follow it). */
  lastIndex(): number {
    return this.offsetIndex + this.log.length;
  }

  /** The first available index. */
  firstIndex(): number {
    return this.offsetIndex + 1;
  }

  /** The latest snapshot (created or applied). */
  snapshot(): Snapshot {
    return this.latestSnapshot;
  }

  /** Replaces everything with a snapshot received from the leader (from a Ready); older snapshots are refused. */
  applySnapshot(snapshot: Snapshot): void {
    const current = this.latestSnapshot.metadata.index;
    if (snapshot.metadata.index <= current) throw new SnapshotOutOfDateError(snapshot.metadata.index, current);
    this.latestSnapshot = snapshot;
    this.offsetIndex = snapshot.metadata.index;
    this.offsetTerm = snapshot.metadata.term;
    this.log = [];
  }

  /** Records a snapshot of the applied state at `index`, which must be in the log; returns it. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    const current = this.latestSnapshot.metadata.index;
    if (index <= current) throw new SnapshotOutOfDateError(index, current);
    if (!(index <= this.lastIndex())) throw new AssertionError(`snapshot ${index} is out of bound lastindex(${this.lastIndex()})`);
    this.latestSnapshot = { data, metadata: { index, term: this.term(index), confState } };
    return this.latestSnapshot;
  }

  /** Discards entries up to and including `index` (which must be applied, and usually snapshotted). */
  compact(index: number): void {
    if (index <= this.offsetIndex) throw new CompactedError(index);
    if (!(index <= this.lastIndex())) throw new AssertionError(`compact ${index} is out of bound lastindex(${this.lastIndex()})`);
    const term = this.term(index);
    this.log.splice(0, index - this.offsetIndex);
    this.offsetIndex = index;
    this.offsetTerm = term;
  }

  /** Appends entries from a Ready, replacing any conflicting suffix; entries already compacted are skipped. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0].index + entries.length - 1;
    if (last < first) return;
    let from = 0;
    if (entries[0].index < first) from = first - entries[0].index;
    const at = entries[from].index - this.offsetIndex - 1;
    if (!(at <= this.log.length)) throw new AssertionError(`missing log entry [last: ${this.lastIndex()}, append at: ${entries[from].index}]`);
    if (at < this.log.length) this.log.length = at;
    for (let i = from; i < entries.length; i++) this.log.push(entries[i]);
  }
}
