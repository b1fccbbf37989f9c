// A set of watchers, indexed to answer "who watches this key?" fast (etcd's watcherGroup). Single-key watchers
// sit in a map by key. Range watchers sit in a list of distinct intervals sorted by start, with the running
// maximum of interval ends: a lookup binary-searches the intervals starting at or before the key and walks
// back only while some earlier interval still reaches past the key, so disjoint or prefix-shaped ranges cost
// O(log n + matches). etcd uses an interval tree; this is simpler, with the same bound for those shapes.
import type { KeyString } from './key-range.ts';

/** What a group needs to know about a watcher. */
export interface WatchedRange {
  /** First key watched. */
  readonly key: KeyString;
  /** End of the range (exclusive; keyStringInfinity for every key >= key), or undefined for one key. */
  readonly end: KeyString | undefined;
}

interface Interval<W> {
  start: KeyString;
  end: KeyString;
  watchers: Set<W>;
}

/** Index of the first interval that does not sort before (start, end). */
function lowerBound<W>(intervals: Array<Interval<W>>, start: KeyString, end: KeyString): number {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const interval = intervals[middle]!;
    if (interval.start < start || (interval.start === start && interval.end < end)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Watchers indexed by the keys they watch. */
export class WatcherGroup<W extends WatchedRange> {
  /** Every watcher of the group. */
  readonly watchers = new Set<W>();
  private readonly keyWatchers = new Map<KeyString, Set<W>>();
  private intervals: Array<Interval<W>> = [];
  /** endsMax[i] = the largest end among intervals[0..i]. */
  private endsMax: KeyString[] = [];

  /** Number of watchers. */
  get size(): number {
    return this.watchers.size;
  }

  /** Whether `watcher` is in the group. */
  has(watcher: W): boolean {
    return this.watchers.has(watcher);
  }

  /** Adds a watcher (it must not be in the group). */
  add(watcher: W): void {
    if (this.watchers.has(watcher)) throw new Error('watcher added to a group twice');
    this.watchers.add(watcher);
    if (watcher.end === undefined) {
      let set = this.keyWatchers.get(watcher.key);
      if (set === undefined) this.keyWatchers.set(watcher.key, (set = new Set()));
      set.add(watcher);
      return;
    }
    const position = lowerBound(this.intervals, watcher.key, watcher.end);
    const existing = this.intervals[position];
    if (existing !== undefined && existing.start === watcher.key && existing.end === watcher.end) {
      existing.watchers.add(watcher);
      return;
    }
    this.intervals.splice(position, 0, { start: watcher.key, end: watcher.end, watchers: new Set([watcher]) });
    this.recomputeEndsMax(position);
  }

  /** Removes a watcher; false when it was not in the group. */
  delete(watcher: W): boolean {
    if (!this.watchers.delete(watcher)) return false;
    if (watcher.end === undefined) {
      const set = this.keyWatchers.get(watcher.key)!;
      set.delete(watcher);
      if (set.size === 0) this.keyWatchers.delete(watcher.key);
      return true;
    }
    const position = lowerBound(this.intervals, watcher.key, watcher.end);
    const interval = this.intervals[position]!;
    interval.watchers.delete(watcher);
    if (interval.watchers.size === 0) {
      this.intervals.splice(position, 1);
      this.recomputeEndsMax(position);
    }
    return true;
  }

  private recomputeEndsMax(from: number): void {
    this.endsMax.length = this.intervals.length;
    for (let index = from; index < this.intervals.length; index++) {
      const end = this.intervals[index]!.end;
      const before = index > 0 ? this.endsMax[index - 1]! : undefined;
      this.endsMax[index] = before !== undefined && before > end ? before : end;
    }
  }

  /** Calls `visit` for every watcher whose key or range contains `key`. */
  forEachWatcherOf(key: KeyString, visit: (watcher: W) => void): void {
    const single = this.keyWatchers.get(key);
    if (single !== undefined) for (const watcher of single) visit(watcher);
    if (this.intervals.length === 0) return;
    // Intervals [0, high) start at or before `key`.
    let low = 0;
    let high = this.intervals.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.intervals[middle]!.start <= key) low = middle + 1;
      else high = middle;
    }
    for (let index = low - 1; index >= 0; index--) {
      if (this.endsMax[index]! <= key) return; // nothing at or before index reaches the key
      const interval = this.intervals[index]!;
      if (interval.end > key) for (const watcher of interval.watchers) visit(watcher);
    }
  }

  /** Whether any watcher watches `key`. */
  contains(key: KeyString): boolean {
    let found = false;
    this.forEachWatcherOf(key, () => (found = true));
    return found;
  }
}
