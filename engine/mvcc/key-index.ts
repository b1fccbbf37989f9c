// The history of one key, as etcd's keyIndex: a list of generations, each running from the put that created
// the key to the deletion (tombstone) that ended it. Example, for a key put at 1, 2, deleted at 3, put at 4:
//
//   generations: {1.0, 2.0, 3.0(t)}, {4.0}
//
// The last generation is empty while the key is deleted. Memory layout matters with a million keys, both for
// heap and for scans, which touch every key: the current generation is held directly by the KeyIndex and the
// ended ones in an array that is shared and empty for most keys, revisions are stored flat ([main, sub, main,
// sub, ...]) in one exactly-sized number array, and a `live` flag lets a scan at the current revision decide
// from the KeyIndex object alone. bench-index.ts measures the result (heap per key, scan speed).
import { assert, AssertionError } from '../common/assert.ts';
import { type Revision, RevisionSet } from './revision.ts';

/** Up to this many numbers, a revision list is copied to an exactly-sized array on append. */
const exactSizeRevisionsMax = 16;

/** The revisions of an empty generation: shared to save an allocation per generation; frozen so that no
 * code can append to it in place. */
const noRevisions = Object.freeze([]) as unknown as number[];

/** One life of a key: from creation to deletion. */
export class Generation {
  /** Puts in this generation, including those compacted away. */
  version = 0;
  createdMain = 0;
  createdSub = 0;
  /** Revisions as flat [main, sub] pairs, ascending. Replaced, not modified, while short (see append). */
  revisions: number[] = noRevisions;

  /**
   * Appends a revision. Short histories get exactly-sized arrays (concat allocates exactly; push and spread
   * grow an array by 16 slots, which for a million one-revision keys would be most of the index's heap).
   */
  append(main: number, sub: number): void {
    const revisions = this.revisions;
    if (revisions.length < exactSizeRevisionsMax) this.revisions = revisions.concat(main, sub);
    else revisions.push(main, sub);
  }

  /** Number of revisions held. */
  get length(): number {
    return this.revisions.length >>> 1;
  }

  /** True when the generation holds no revisions. */
  isEmpty(): boolean {
    return this.revisions.length === 0;
  }

  /** The main revision at `position`. */
  mainAt(position: number): number {
    return this.revisions[position * 2]!;
  }

  /** The sub revision at `position`. */
  subAt(position: number): number {
    return this.revisions[position * 2 + 1]!;
  }

  /** The revision at `position`. */
  revisionAt(position: number): Revision {
    return { main: this.revisions[position * 2]!, sub: this.revisions[position * 2 + 1]! };
  }

  /** Position of the newest revision with main <= atRev, or -1 (etcd's walk with `rev.main > atRev`). */
  lastAtOrBefore(atRev: number): number {
    for (let position = this.length - 1; position >= 0; position--) {
      if (this.revisions[position * 2]! <= atRev) return position;
    }
    return -1;
  }
}

/** What a key looked like at a revision. */
export interface KeyIndexGet {
  /** The revision of the version visible at the revision asked for. */
  modified: Revision;
  /** The revision that created the key's generation. */
  created: Revision;
  /** The version visible at the revision asked for. */
  version: number;
}

/** The `ended` array of keys that were never deleted: shared to save an allocation per key, frozen. */
const noGenerations = Object.freeze([]) as unknown as Generation[];

/** The revision history of one key. */
export class KeyIndex {
  modifiedMain = 0;
  modifiedSub = 0;
  /**
   * The current generation holds revisions (the key exists now). Redundant with the generation itself, but
   * it lets a scan at the current revision decide from this object alone, without two more memory reads.
   */
  private live = false;
  /** Generations ended by a tombstone, oldest first (the shared empty array for most keys). */
  private ended: Generation[] = noGenerations;
  /** The last generation: the key's current life, empty while the key is deleted. */
  private current = new Generation();

  constructor(readonly key: string) {}

  /** The revision of the last change. */
  get modified(): Revision {
    return { main: this.modifiedMain, sub: this.modifiedSub };
  }

  /** Number of generations, the last one included. */
  get generationCount(): number {
    return this.ended.length + 1;
  }

  /** The generation at `index` (0 = oldest; generationCount - 1 = the current one). */
  generation(index: number): Generation {
    return index === this.ended.length ? this.current : this.ended[index]!;
  }

  /** Every generation, oldest first (a copy; for tests and checks). */
  get generations(): Generation[] {
    return [...this.ended, this.current];
  }

  /** Records a put at (main, sub); the revision must be newer than every one recorded. */
  put(main: number, sub: number): void {
    assert(
      main > this.modifiedMain || (main === this.modifiedMain && sub > this.modifiedSub),
      `put with a revision (${main}, ${sub}) not after the last one (${this.modifiedMain}, ${this.modifiedSub})`,
    );
    const generation = this.current;
    if (generation.isEmpty()) {
      generation.createdMain = main;
      generation.createdSub = sub;
    }
    generation.append(main, sub);
    generation.version++;
    this.modifiedMain = main;
    this.modifiedSub = sub;
    this.live = true;
  }

  /** Rebuilds a key seen first at `modified` during restore, whose older history may be compacted. */
  restore(created: Revision, modified: Revision, version: number): void {
    assert(this.ended.length === 0 && this.current.isEmpty() && this.current.version === 0, 'restore into a key index that already has history');
    const generation = this.current;
    generation.createdMain = created.main;
    generation.createdSub = created.sub;
    generation.version = version;
    generation.append(modified.main, modified.sub);
    this.modifiedMain = modified.main;
    this.modifiedSub = modified.sub;
    this.live = true;
  }

  /**
   * Records a deletion at (main, sub) and starts an empty generation. Returns false (etcd's
   * ErrRevisionNotFound) when the key is already deleted.
   */
  tombstone(main: number, sub: number): boolean {
    if (this.isEmpty()) throw new AssertionError(`tombstone on an empty key index ${JSON.stringify(this.key)}`);
    if (this.current.isEmpty()) return false;
    this.put(main, sub);
    this.ended = this.ended.concat([this.current]);
    this.current = new Generation();
    this.live = false;
    return true;
  }

  /** Reverts the last put; `previous` is the modified revision before it (used to roll back a txn). */
  undoPut(previous: Revision): void {
    const generation = this.current;
    assert(!generation.isEmpty(), 'undo of a put that is not there');
    generation.revisions = generation.length === 1 ? noRevisions : generation.revisions.slice(0, -2);
    generation.version--;
    if (generation.isEmpty()) {
      generation.createdMain = 0;
      generation.createdSub = 0;
    }
    this.modifiedMain = previous.main;
    this.modifiedSub = previous.sub;
    this.live = !generation.isEmpty();
  }

  /** Reverts the last tombstone. */
  undoTombstone(previous: Revision): void {
    assert(this.current.isEmpty() && this.current.version === 0 && this.ended.length > 0, 'undo of a tombstone that is not there');
    this.current = this.ended[this.ended.length - 1]!;
    this.ended = this.ended.length === 1 ? noGenerations : this.ended.slice(0, -1);
    this.undoPut(previous);
  }

  /** The version visible at `atRev`, or undefined when the key did not exist then. */
  get(atRev: number): KeyIndexGet | undefined {
    if (this.isEmpty()) throw new AssertionError(`get on an empty key index ${JSON.stringify(this.key)}`);
    const generation = this.findGeneration(atRev);
    if (generation === undefined) return undefined;
    const position = generation.lastAtOrBefore(atRev);
    if (position === -1) return undefined;
    return {
      modified: generation.revisionAt(position),
      created: { main: generation.createdMain, sub: generation.createdSub },
      version: generation.version - (generation.length - position - 1),
    };
  }

  /** The revision of the version visible at `atRev` (get without the extra fields; used by range scans). */
  modifiedAt(atRev: number): Revision | undefined {
    // Reads at or after the last change (the common case) need not look at the revision list.
    if (atRev >= this.modifiedMain) return this.live ? { main: this.modifiedMain, sub: this.modifiedSub } : undefined;
    const generation = this.findGeneration(atRev);
    if (generation === undefined) return undefined;
    const position = generation.lastAtOrBefore(atRev);
    return position === -1 ? undefined : generation.revisionAt(position);
  }

  /** Whether the key existed at `atRev` (used by counts). */
  existsAt(atRev: number): boolean {
    if (atRev >= this.modifiedMain) return this.live;
    const generation = this.findGeneration(atRev);
    return generation !== undefined && generation.lastAtOrBefore(atRev) !== -1;
  }

  /** Revisions at or after main revision `rev`, keeping only the last change of each main revision. */
  since(rev: number): Revision[] {
    if (this.isEmpty()) throw new AssertionError(`since on an empty key index ${JSON.stringify(this.key)}`);
    let start = this.generationCount - 1;
    for (; start > 0; start--) {
      const generation = this.generation(start);
      if (generation.isEmpty()) continue;
      if (rev > generation.createdMain) break;
    }
    const revisions: Revision[] = [];
    let last = 0;
    for (let index = start; index < this.generationCount; index++) {
      const generation = this.generation(index);
      for (let position = 0; position < generation.length; position++) {
        const main = generation.mainAt(position);
        if (main < rev) continue;
        // A later change in the same transaction hides the earlier one from the outside.
        if (main === last) revisions[revisions.length - 1] = generation.revisionAt(position);
        else revisions.push(generation.revisionAt(position));
        last = main;
      }
    }
    return revisions;
  }

  /**
   * Drops revisions older than `atRev` except the newest one at or before it, which goes into `available`
   * (the compaction's keep set); a generation that would keep only its tombstone is dropped entirely.
   */
  compact(atRev: number, available: RevisionSet): void {
    if (this.isEmpty()) throw new AssertionError(`compact on an empty key index ${JSON.stringify(this.key)}`);
    const found = this.doCompact(atRev, available);
    const position = found.position;
    let generationIndex = found.generationIndex;
    const generation = this.generation(generationIndex);
    if (!generation.isEmpty()) {
      if (position > 0) generation.revisions = generation.revisions.slice(position * 2);
      if (generation.length === 1 && generationIndex !== this.generationCount - 1) {
        available.delete(generation.mainAt(0), generation.subAt(0));
        generationIndex++;
      }
    }
    // Drop the generations before generationIndex; the current one always stays.
    if (generationIndex > 0) this.ended = generationIndex >= this.ended.length ? noGenerations : this.ended.slice(generationIndex);
  }

  /** Adds to `available` what `compact(atRev)` would keep, without changing the index. */
  keep(atRev: number, available: RevisionSet): void {
    if (this.isEmpty()) return;
    const { generationIndex, position } = this.doCompact(atRev, available);
    const generation = this.generation(generationIndex);
    if (!generation.isEmpty() && position === generation.length - 1 && generationIndex !== this.generationCount - 1) {
      available.delete(generation.mainAt(position), generation.subAt(position));
    }
  }

  private doCompact(atRev: number, available: RevisionSet): { generationIndex: number; position: number } {
    // The first generation that ends after atRev (or the last one) holds the revision to keep.
    const last = this.generationCount - 1;
    let generationIndex = 0;
    let generation = this.generation(0);
    while (generationIndex < last) {
      if (generation.mainAt(generation.length - 1) > atRev) break;
      generationIndex++;
      generation = this.generation(generationIndex);
    }
    const position = generation.lastAtOrBefore(atRev);
    if (position !== -1) available.add(generation.mainAt(position), generation.subAt(position));
    return { generationIndex, position };
  }

  /** True when the only generation is empty (nothing left after compaction). */
  isEmpty(): boolean {
    return this.ended.length === 0 && this.current.isEmpty();
  }

  /** Checks the redundant fields against the generations (consistency checks). */
  checkInvariants(): void {
    if (!(this.live === !this.current.isEmpty())) throw new AssertionError(`key index ${JSON.stringify(this.key)}: live flag disagrees with its generation`);
    const last = this.live ? this.current : this.ended[this.ended.length - 1];
    if (last === undefined) return;
    const position = last.length - 1;
    if (!(last.mainAt(position) === this.modifiedMain && last.subAt(position) === this.modifiedSub)) throw new AssertionError(`key index ${JSON.stringify(this.key)}: modified is not its newest revision`);
  }

  /** The generation alive at main revision `rev`, or undefined when the key did not exist then. */
  findGeneration(rev: number): Generation | undefined {
    // Fast path for reads at or after the last change: only the current generation can hold the key.
    const current = this.current;
    if (!current.isEmpty()) {
      if (current.revisions[0]! <= rev) return current;
    } else if (this.ended.length === 0) {
      return undefined;
    }
    for (let index = this.ended.length - 1; index >= 0; index--) {
      const generation = this.ended[index]!;
      // An ended generation ends with its tombstone: at or after it the key did not exist.
      if (generation.mainAt(generation.length - 1) <= rev) return undefined;
      if (generation.revisions[0]! <= rev) return generation;
    }
    return undefined;
  }
}
