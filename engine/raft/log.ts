// The Raft log as the core sees it: persisted entries in Storage followed by unstable ones, plus the commit,
// applying and applied cursors. Invariant: applied <= applying <= committed <= lastIndex.
import { assert, AssertionError } from '../common/assert.ts';
import { CompactedError, UnavailableError } from './errors.ts';
import { UnstableLog } from './log-unstable.ts';
import type { Storage } from './storage.ts';
import type { Entry, Snapshot } from './types.ts';
import { entrySizeBytes, limitSize, noLimit } from './util.ts';

/** The log of one member. */
export class RaftLog {
  readonly storage: Storage;
  readonly unstable: UnstableLog;
  /** The highest index known to be committed. */
  committed: number;
  /** The highest index handed to the caller for applying (in a Ready not yet advanced). */
  applying: number;
  /** The highest index the caller has applied (acknowledged by advance()). */
  applied: number;
  /** Bytes of committed entries handed out per Ready. */
  private readonly maxApplyingBytes: number;

  constructor(storage: Storage, maxApplyingBytes: number) {
    this.storage = storage;
    this.maxApplyingBytes = maxApplyingBytes;
    const firstIndex = storage.firstIndex();
    this.unstable = new UnstableLog(storage.lastIndex() + 1);
    // Everything up to the snapshot is committed and applied by definition.
    this.committed = firstIndex - 1;
    this.applying = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  /** A one-line summary for logs. */
  toString(): string {
    return `committed=${this.committed}, applied=${this.applied}, unstable.offset=${this.unstable.offset}, len(unstable.Entries)=${this.unstable.entries.length}`;
  }

  /**
   * Appends a leader's entries that follow (index, logTerm) if that entry matches ours, truncating any
   * conflicting suffix; returns the index of the last new entry, or undefined if (index, logTerm) does not match.
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNewIndex = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      if (!(conflict > this.committed)) throw new AssertionError(`entry ${conflict} conflicts with committed entry [committed(${this.committed})]`);
      this.append(conflict === entries[0].index ? entries : entries.slice(conflict - entries[0].index));
    }
    this.commitTo(Math.min(committed, lastNewIndex));
    return lastNewIndex;
  }

  /** Appends entries (truncating a conflicting unstable suffix); returns the new last index. */
  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = entries[0].index - 1;
    if (!(after >= this.committed)) throw new AssertionError(`after(${after}) is out of range [committed(${this.committed})]`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /**
   * The index of the first entry that is new or conflicts with ours (same index, different term), or 0 when
   * all entries are already present.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`, with that term (0 when unknown): where a follower's
   * log may match the leader's, so a rejected probe can skip a whole term of conflicting entries at once.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = index; i > 0; i--) {
      const ourTerm = this.termOrUndefined(i);
      if (ourTerm === undefined) return { index: i, term: 0 };
      if (ourTerm <= term) return { index: i, term: ourTerm };
    }
    return { index: 0, term: 0 };
  }

  /** A copy of the entries not yet persisted. */
  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  /** Whether committed entries wait to be handed out for applying. */
  hasNextCommittedEntries(): boolean {
    return this.committed > Math.max(this.applying, this.firstIndex() - 1);
  }

  /** The next batch of committed entries to apply (bounded by maxApplyingBytes). */
  nextCommittedEntries(): Entry[] {
    const lo = Math.max(this.applying + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, this.maxApplyingBytes);
  }

  /** The unstable snapshot if any, else Storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** The first index still available. */
  firstIndex(): number {
    return this.unstable.firstIndex() ?? this.storage.firstIndex();
  }

  /** The last index. */
  lastIndex(): number {
    return this.unstable.lastIndex() ?? this.storage.lastIndex();
  }

  /** The term of the last entry. */
  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /** Raises the commit index (never lowers it); the entries must exist. */
  commitTo(index: number): void {
    if (this.committed >= index) return;
    assert(
      index <= this.lastIndex(),
      `tocommit(${index}) is out of range [lastIndex(${this.lastIndex()})]. Was the raft log corrupted, truncated, or lost?`,
    );
    this.committed = index;
  }

  /** Records that committed entries up to `index` were handed out for applying. */
  acceptApplying(index: number): void {
    if (!(index <= this.committed)) throw new AssertionError(`applying(${index}) is past committed(${this.committed})`);
    this.applying = Math.max(this.applying, index);
  }

  /** Records that the caller applied entries up to `index`. */
  appliedTo(index: number): void {
    if (index === 0) return;
    assert(
      index <= this.committed && index >= this.applied,
      `applied(${index}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`,
    );
    this.applied = index;
    this.applying = Math.max(this.applying, index);
  }

  /** Entries up to (index, term) were persisted; false if they were replaced since. */
  stableTo(index: number, term: number): boolean {
    return this.unstable.stableTo(index, term);
  }

  /** The snapshot at `index` was persisted. */
  stableSnapshotTo(index: number): void {
    this.unstable.stableSnapshotTo(index);
  }

  /**
   * The term of entry `index`: 0 outside [firstIndex - 1, lastIndex]; throws CompactedError when Storage
   * has compacted it concurrently.
   */
  term(index: number): number {
    const known = this.unstable.term(index);
    if (known !== undefined) return known;
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return 0;
    try {
      return this.storage.term(index);
    } catch (error) {
      if (error instanceof CompactedError) throw error;
      if (!(!(error instanceof UnavailableError))) throw new AssertionError(`term(${index}) is unavailable from storage`);
      throw error;
    }
  }

  /** The term of entry `index`, or undefined if it was compacted or lies outside the log. */
  termOrUndefined(index: number): number | undefined {
    const known = this.unstable.term(index);
    if (known !== undefined) return known;
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    try {
      return this.storage.term(index);
    } catch (error) {
      if (error instanceof CompactedError) return undefined;
      throw error;
    }
  }

  /** The term of entry `index`, or 0 if it was compacted. */
  termOrZero(index: number): number {
    return this.termOrUndefined(index) ?? 0;
  }

  /** Entries from `index` to the end, limited to maxBytes; throws CompactedError if `index` was compacted. */
  entries(index: number, maxBytes: number): Entry[] {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, maxBytes);
  }

  /** Every entry still in the log (tests and debugging). */
  allEntries(): Entry[] {
    return this.entries(this.firstIndex(), noLimit);
  }

  /** Whether a candidate's log ending at (lastIndex, term) is at least as up to date as ours (Raft §5.4.1). */
  isUpToDate(lastIndex: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Whether entry `index` exists with `term`. */
  matchTerm(index: number, term: number): boolean {
    const ourTerm = this.termOrUndefined(index);
    return ourTerm !== undefined && ourTerm === term;
  }

  /** Commits up to `maxIndex` if that entry is from `term` (only current-term entries commit by counting, §5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.termOrZero(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  /** Replaces the log with a snapshot received from the leader. */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** Entries [lo, hi) limited to maxBytes; throws CompactedError if lo was compacted. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    this.checkBounds(lo, hi);
    if (lo === hi) return [];
    const offset = this.unstable.offset;
    let result: Entry[] = [];
    if (lo < offset) {
      const storageHi = Math.min(hi, offset);
      let stored: Entry[];
      try {
        stored = this.storage.entries(lo, storageHi, maxBytes);
      } catch (error) {
        if (!(!(error instanceof UnavailableError))) throw new AssertionError(`entries[${lo}:${storageHi}) is unavailable from storage`);
        throw error;
      }
      // Storage stopped at the byte limit: the unstable part cannot be added.
      if (stored.length < storageHi - lo) return stored;
      result = stored;
    }
    if (hi > offset) {
      const from = Math.max(lo, offset);
      let size = 0;
      for (const entry of result) size += entrySizeBytes(entry);
      // Storage hands over a fresh array (see Storage.entries), so the unstable entries can be added to it.
      return this.unstableLimited(from, hi, maxBytes, size, result);
    }
    return limitSize(result, maxBytes);
  }

  /** Appends unstable entries [lo, hi) to `out` while the total stays within maxBytes (at least one entry overall). */
  private unstableLimited(lo: number, hi: number, maxBytes: number, sizeSoFar: number, out: Entry[]): Entry[] {
    const entries = this.unstable.entries;
    const offset = this.unstable.offset;
    let size = sizeSoFar;
    for (let index = lo; index < hi; index++) {
      const entry = entries[index - offset];
      size += entrySizeBytes(entry);
      if (out.length > 0 && size > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  private checkBounds(lo: number, hi: number): void {
    if (!(lo <= hi)) throw new AssertionError(`invalid slice ${lo} > ${hi}`);
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo);
    const last = this.lastIndex();
    if (!(hi <= last + 1)) throw new AssertionError(`slice[${lo},${hi}) out of bound [${first},${last}]`);
  }
}
