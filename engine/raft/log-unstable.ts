// The part of the log not yet persisted: new entries (and at most one incoming snapshot) that the next Ready
// hands to the caller. Once the caller has persisted them, advance() trims them from here and they are read
// back from Storage.
import { AssertionError } from '../common/assert.ts';
import type { Entry, Snapshot } from './types.ts';

/** Entries and snapshot awaiting persistence. */
export class UnstableLog {
  /** An incoming snapshot not yet persisted. */
  snapshot: Snapshot | undefined;
  /** Entries from index `offset` on. Never aliased with arrays owned by others (messages, Readys). */
  entries: Entry[] = [];
  /** The index of entries[0]; the first index not known to be in Storage. */
  offset: number;

  constructor(offset: number) {
    this.offset = offset;
  }

  /** The first log index if the unstable snapshot determines it. */
  firstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  /** The last log index if unstable entries or the snapshot determine it. */
  lastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  /** The term of entry `index` if it is known here. */
  term(index: number): number | undefined {
    if (index < this.offset) {
      if (this.snapshot && this.snapshot.metadata.index === index) return this.snapshot.metadata.term;
      return undefined;
    }
    const position = index - this.offset;
    if (position >= this.entries.length) {
      // The snapshot's own index equals offset - 1, so it is handled above; nothing else is known.
      return undefined;
    }
    return this.entries[position].term;
  }

  /**
   * Entries up to `index` (whose term was `term` when handed out) are now persisted. Returns false when the entry
   * was replaced meanwhile (a conflicting append), in which case the newer entries stay unstable.
   */
  stableTo(index: number, term: number): boolean {
    if (index < this.offset) return false;
    const known = this.term(index);
    if (known === undefined || known !== term) return false;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
    return true;
  }

  /** The snapshot at `index` is now persisted. */
  stableSnapshotTo(index: number): void {
    if (this.snapshot && this.snapshot.metadata.index === index) this.snapshot = undefined;
  }

  /** Replaces everything with an incoming snapshot. */
  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  /** Appends entries, first truncating any unstable entries at or after the first new index. */
  truncateAndAppend(incoming: readonly Entry[]): void {
    const after = incoming[0].index;
    if (after === this.offset + this.entries.length) {
      for (const entry of incoming) this.entries.push(entry);
    } else if (after <= this.offset) {
      // The new entries replace everything unstable (and some stable entries, which Storage will overwrite).
      this.offset = after;
      this.entries = incoming.slice();
    } else {
      this.entries.length = after - this.offset;
      for (const entry of incoming) this.entries.push(entry);
    }
  }

  /** A copy of entries [lo, hi), which must lie within the unstable entries. */
  slice(lo: number, hi: number): Entry[] {
    if (!(lo <= hi)) throw new AssertionError(`invalid unstable.slice ${lo} > ${hi}`);
    const upper = this.offset + this.entries.length;
    if (!(lo >= this.offset && hi <= upper)) throw new AssertionError(`unstable.slice[${lo},${hi}) out of bound [${this.offset},${upper}]`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
