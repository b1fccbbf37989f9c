// The in-memory index of every key (etcd's treeIndex): key -> KeyIndex in a B+tree ordered by key bytes.
// Reads at a revision, ranges, tombstones and compaction follow etcd's index.go. Changes made by a write
// transaction can be recorded in an undo log, so that a transaction whose backend write fails leaves the
// index exactly as it was (etcd never rolls back; its batch transaction cannot fail).
import { assert } from '../common/assert.ts';
import { BPlusTree } from './b-plus-tree.ts';
import { KeyIndex, type KeyIndexGet } from './key-index.ts';
import type { KeyString } from './key-range.ts';
import { type Revision, RevisionSet } from './revision.ts';

/** One index change, as needed to revert it. */
interface IndexUndoEntry {
  keyIndex: KeyIndex;
  /** The key was new: reverting removes it from the tree. */
  inserted: boolean;
  tombstone: boolean;
  previous: Revision;
}

/** Index changes of one write transaction, newest last. */
export type IndexUndoLog = IndexUndoEntry[];

/** Revisions of the keys in a range, and how many keys there are regardless of the limit. */
export interface IndexRangeResult {
  keys: KeyString[];
  revisions: Revision[];
  count: number;
}

/** The key index of a store. */
export class TreeIndex {
  private tree = new BPlusTree<KeyIndex>();

  /** Forgets every key (before the index is rebuilt from a replaced backend). */
  clear(): void {
    this.tree = new BPlusTree<KeyIndex>();
  }

  /** Number of keys with history (live or deleted but not yet compacted away). */
  get size(): number {
    return this.tree.size;
  }

  /** The key as it was at `atRev`, or undefined when it did not exist then. */
  get(key: KeyString, atRev: number): KeyIndexGet | undefined {
    const keyIndex = this.tree.get(key);
    return keyIndex === undefined ? undefined : keyIndex.get(atRev);
  }

  /** Records a put of `key` at `revision`. */
  put(key: KeyString, revision: Revision, undo?: IndexUndoLog): void {
    let keyIndex = this.tree.get(key);
    const inserted = keyIndex === undefined;
    if (keyIndex === undefined) {
      keyIndex = new KeyIndex(key);
      this.tree.set(key, keyIndex);
    }
    const previous = keyIndex.modified;
    keyIndex.put(revision.main, revision.sub);
    undo?.push({ keyIndex, inserted, tombstone: false, previous });
  }

  /** Records the deletion of `key` at `revision`; false when the key does not exist (ErrRevisionNotFound). */
  tombstone(key: KeyString, revision: Revision, undo?: IndexUndoLog): boolean {
    const keyIndex = this.tree.get(key);
    if (keyIndex === undefined) return false;
    const previous = keyIndex.modified;
    if (!keyIndex.tombstone(revision.main, revision.sub)) return false;
    undo?.push({ keyIndex, inserted: false, tombstone: true, previous });
    return true;
  }

  /** Reverts the changes in `undo`, newest first. */
  undo(undo: IndexUndoLog): void {
    for (let index = undo.length - 1; index >= 0; index--) {
      const entry = undo[index]!;
      if (entry.tombstone) entry.keyIndex.undoTombstone(entry.previous);
      else entry.keyIndex.undoPut(entry.previous);
      if (entry.inserted) {
        const removed = this.tree.delete(entry.keyIndex.key);
        assert(removed === entry.keyIndex, 'undo removed a different key index');
      }
    }
    undo.length = 0;
  }

  /**
   * Keys alive at `atRev` in [key, end) (`end` undefined: the single key), with their revisions there; at
   * most `limit` keys and revisions are returned (0: no limit) but `count` counts all.
   */
  range(key: KeyString, end: KeyString | undefined, atRev: number, limit = 0): IndexRangeResult {
    const result: IndexRangeResult = { keys: [], revisions: [], count: 0 };
    if (end === undefined) {
      const found = this.get(key, atRev);
      if (found !== undefined) {
        result.keys.push(key);
        result.revisions.push(found.modified);
        result.count = 1;
      }
      return result;
    }
    this.tree.forEachInRange(key, end, (indexKey, keyIndex) => {
      if (limit > 0 && result.count >= limit) {
        if (keyIndex.existsAt(atRev)) result.count++;
        return;
      }
      const revision = keyIndex.modifiedAt(atRev);
      if (revision === undefined) return;
      result.keys.push(indexKey);
      result.revisions.push(revision);
      result.count++;
    });
    return result;
  }

  /** Number of keys alive at `atRev` in [key, end) (etcd 3.5's CountRevisions). */
  countRevisions(key: KeyString, end: KeyString | undefined, atRev: number): number {
    if (end === undefined) return this.get(key, atRev) === undefined ? 0 : 1;
    let count = 0;
    this.tree.forEachInRange(key, end, (_indexKey, keyIndex) => {
      if (keyIndex.existsAt(atRev)) count++;
    });
    return count;
  }

  /** Revisions since main revision `rev` of the keys in [key, end), in revision order (etcd's RangeSince). */
  rangeSince(key: KeyString, end: KeyString | undefined, rev: number): Revision[] {
    if (end === undefined) {
      const keyIndex = this.tree.get(key);
      return keyIndex === undefined ? [] : keyIndex.since(rev);
    }
    const revisions: Revision[] = [];
    this.tree.forEachInRange(key, end, (_indexKey, keyIndex) => {
      for (const revision of keyIndex.since(rev)) revisions.push(revision);
    });
    return revisions.sort((a, b) => (a.main !== b.main ? a.main - b.main : a.sub - b.sub));
  }

  /** Compacts every key at `rev` and returns the revisions at or before `rev` that must be kept. */
  compact(rev: number): RevisionSet {
    const available = new RevisionSet();
    this.compactBatch(rev, '', Infinity, available);
    return available;
  }

  /**
   * Compacts at `rev` the keys from `fromKey` on, at most `keysMax` of them, adding the revisions to keep to
   * `available`. Returns the key to continue from, or undefined when the last key is done. Compacting in
   * batches is safe while writes go on: a write only adds revisions after `rev`, which compaction leaves
   * alone, and reads at or after `rev` see the same versions before and after a key is compacted.
   */
  compactBatch(rev: number, fromKey: KeyString, keysMax: number, available: RevisionSet): KeyString | undefined {
    const emptied: KeyString[] = [];
    let visited = 0;
    let resumeKey: KeyString | undefined;
    this.tree.forEachInRange(fromKey, undefined, (key, keyIndex) => {
      if (visited === keysMax) {
        resumeKey = key;
        return false;
      }
      visited++;
      keyIndex.compact(rev, available);
      if (keyIndex.isEmpty()) emptied.push(key);
      return true;
    });
    for (const key of emptied) {
      const removed = this.tree.delete(key);
      assert(removed !== undefined, 'compaction failed to remove an emptied key');
    }
    return resumeKey;
  }

  /** The revisions a compaction at `rev` would keep, without compacting. */
  keep(rev: number): RevisionSet {
    const available = new RevisionSet();
    this.tree.forEach((_key, keyIndex) => keyIndex.keep(rev, available));
    return available;
  }

  /** The history of `key`, if any (used by restore). */
  keyIndex(key: KeyString): KeyIndex | undefined {
    return this.tree.get(key);
  }

  /** Adds a restored key index. */
  insert(keyIndex: KeyIndex): void {
    this.tree.set(keyIndex.key, keyIndex);
  }

  /** Visits every key index in key order until `visit` returns false. */
  forEach(visit: (keyIndex: KeyIndex) => boolean | void): void {
    this.tree.forEach((_key, keyIndex) => visit(keyIndex));
  }

  /** Checks the B+tree structure; for tests. */
  checkInvariants(): void {
    this.tree.checkInvariants();
  }
}
