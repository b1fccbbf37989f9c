// The watchable store (etcd's watchable_store.go): the KV store plus watchers in three states.
//
// - synced: caught up with the store; they receive each committed write transaction's events right after
//   the commit, as one delivery per watcher (a revision is never split);
// - unsynced: behind (started in the past, or recovering from being a victim); a background loop catches
//   them up from the backend, reading at most `watchUnsyncedBatchRevisionsMax` revisions per pass and
//   yielding between passes, then moves them to synced. A watcher needing compacted history gets one
//   compaction notice instead and is cancelled;
// - victim: their sink was paused and their buffer full; they hold no events and rejoin the unsynced loop
//   when their stream resumes.
//
// The loop runs on an injected Scheduler, only while there is work, so tests can drive it step by step.
import { isEtcdError } from '../common/errors.ts';
import { watchEventBufferMax, watchSyncPassPauseMs, watchSyncWatchersMax, watchUnsyncedBatchRevisionsMax } from '../common/limits.ts';
import { type Event, EventType, eventsOfChanges } from './event.ts';
import { decodeKeyValue, type KeyValue } from './key-value.ts';
import { keyToString } from './key-range.ts';
import type { KvStore } from './kv-store.ts';
import { decodeRevision, encodeRevision, isTombstone } from './revision.ts';
import { type ScheduledTask, type Scheduler, timerScheduler } from './scheduler.ts';
import { WatcherGroup } from './watcher-group.ts';
import { type WatchHub, type Watcher, type WatchSink, WatchStream } from './watcher.ts';

/** Tuning of the watchable store; defaults come from limits.ts. */
export interface WatchableStoreOptions {
  scheduler?: Scheduler;
  /** Events buffered per watcher while its sink is paused. */
  eventBufferMax?: number;
  /** Revisions read from the backend per catch-up pass. */
  unsyncedBatchRevisionsMax?: number;
  /** Unsynced watchers handled per catch-up pass. */
  syncWatchersMax?: number;
}

/** How many watchers are in each state. */
export interface WatcherCounts {
  synced: number;
  unsynced: number;
  victims: number;
}

/** Previous key-values looked up once per event, shared by every watcher that asked for them. */
type PrevKvCache = Map<Event, Event>;

/** A KV store whose changes can be watched. */
export class WatchableStore implements WatchHub {
  private readonly synced = new WatcherGroup<Watcher>();
  private readonly unsynced = new WatcherGroup<Watcher>();
  private readonly victims = new Set<Watcher>();
  private readonly scheduler: Scheduler;
  private syncTask: ScheduledTask | undefined;
  private closed = false;

  constructor(
    readonly kv: KvStore,
    private readonly options: WatchableStoreOptions = {},
  ) {
    this.scheduler = options.scheduler ?? timerScheduler;
    kv.setChangeListener((revision, changes) => this.notify(revision, changes));
  }

  /** Opens a stream of watchers that deliver to `sink`. */
  newWatchStream(sink: WatchSink): WatchStream {
    return new WatchStream(this, sink, this.options.eventBufferMax ?? watchEventBufferMax);
  }

  /** The store's current revision. */
  currentRevision(): number {
    return this.kv.currentRevision();
  }

  /** Watchers per state (for metrics: etcd_debugging_mvcc_watcher_total / slow_watcher_total). */
  watcherCounts(): WatcherCounts {
    return { synced: this.synced.size, unsynced: this.unsynced.size, victims: this.victims.size };
  }

  /** Stops delivering events and the catch-up loop. */
  close(): void {
    this.closed = true;
    this.syncTask?.cancel();
    this.syncTask = undefined;
    this.kv.setChangeListener(undefined);
  }

  addWatcher(watcher: Watcher, startRev: number): void {
    const currentRev = this.kv.currentRevision();
    if (startRev === 0 || startRev > currentRev) {
      watcher.minRev = Math.max(currentRev + 1, startRev);
      this.moveTo(watcher, 'synced');
      return;
    }
    watcher.minRev = startRev;
    this.moveTo(watcher, 'unsynced');
    this.scheduleSync(0);
  }

  removeWatcher(watcher: Watcher): void {
    this.synced.delete(watcher);
    this.unsynced.delete(watcher);
    this.victims.delete(watcher);
  }

  progress(watcher: Watcher): number | undefined {
    if (watcher.state !== 'synced' || watcher.buffer.length > 0) return undefined;
    return this.kv.currentRevision();
  }

  /**
   * The store was rebuilt from a replaced backend (a leader's snapshot): every synced watcher catches up from
   * the new store's history, as etcd's restore moves them to unsynced. Watchers whose next revision was
   * compacted in the new history get the compacted notice from the sync loop. `previousRevision`: the store's
   * revision before, which every synced watcher had been sent.
   */
  storeReplaced(previousRevision: number): void {
    for (const watcher of [...this.synced.watchers]) {
      watcher.minRev = Math.max(watcher.minRev, previousRevision + 1);
      this.moveTo(watcher, 'unsynced');
    }
    if (this.unsynced.size > 0) this.scheduleSync(0);
  }

  streamResumed(stream: WatchStream): void {
    let moved = false;
    for (const watcher of this.victims) {
      if (watcher.stream !== stream || watcher.buffer.length > 0) continue;
      this.victims.delete(watcher);
      this.moveTo(watcher, watcher.minRev <= this.kv.currentRevision() ? 'unsynced' : 'synced');
      moved = true;
    }
    if (moved || this.unsynced.size > 0) this.scheduleSync(0);
  }

  private moveTo(watcher: Watcher, state: 'synced' | 'unsynced' | 'victim'): void {
    this.removeWatcher(watcher);
    watcher.state = state;
    if (state === 'synced') this.synced.add(watcher);
    else if (state === 'unsynced') this.unsynced.add(watcher);
    else this.victims.add(watcher);
  }

  /** Delivers a committed write transaction to the synced watchers. */
  private notify(revision: number, changes: readonly KeyValue[]): void {
    if (this.closed || this.synced.size === 0) return;
    const batches = new Map<Watcher, Event[]>();
    for (const event of eventsOfChanges(revision, changes)) {
      this.synced.forEachWatcherOf(keyToString(event.kv.key), (watcher) => {
        if (event.kv.modRevision < watcher.minRev) return;
        const batch = batches.get(watcher);
        if (batch === undefined) batches.set(watcher, [event]);
        else batch.push(event);
      });
    }
    const cache: PrevKvCache = new Map();
    for (const [watcher, events] of batches) {
      if (this.deliver(watcher, events, revision, cache)) continue;
      // No room: forget the events; the watcher catches up from this revision once its sink resumes.
      watcher.minRev = revision;
      this.moveTo(watcher, 'victim');
    }
  }

  /** Filters, attaches previous key-values, and offers; false when the watcher's buffer is full. */
  private deliver(watcher: Watcher, events: Event[], revision: number, cache: PrevKvCache): boolean {
    const wanted = watcher.filter(events);
    if (wanted.length === 0) return true; // everything filtered out: nothing to send (etcd sends nothing)
    const delivered = watcher.prevKv ? wanted.map((event) => this.withPrevKv(event, cache)) : wanted;
    return watcher.stream.offer(watcher, delivered, revision);
  }

  /** The event with the key's previous version, read at modRevision - 1 (as etcd's watch server does). */
  private withPrevKv(event: Event, cache: PrevKvCache): Event {
    const cached = cache.get(event);
    if (cached !== undefined) return cached;
    let result = event;
    const created = event.type === EventType.Put && event.kv.createRevision === event.kv.modRevision;
    if (!created) {
      try {
        const previous = this.kv.read().range(event.kv.key, undefined, { rev: event.kv.modRevision - 1 }).kvs[0];
        if (previous !== undefined) result = { ...event, prevKv: previous };
      } catch (error) {
        if (!isEtcdError(error)) throw error; // compacted: etcd sends the event without prevKv
      }
    }
    cache.set(event, result);
    return result;
  }

  private scheduleSync(delayMs: number): void {
    if (this.closed || this.syncTask !== undefined) return;
    this.syncTask = this.scheduler.schedule(() => {
      this.syncTask = undefined;
      if (this.syncWatchers()) this.scheduleSync(watchSyncPassPauseMs);
    }, delayMs);
  }

  /** One catch-up pass (etcd's syncWatchers); true when another pass has work to do. */
  private syncWatchers(): boolean {
    if (this.closed || this.unsynced.size === 0) return false;
    const currentRev = this.kv.currentRevision();
    const compactRev = this.kv.compactedRevision();
    const chosen = this.chooseUnsynced(compactRev, currentRev);
    if (chosen.length === 0) return false; // the rest wait for their sinks to resume
    let minRev = Infinity;
    for (const watcher of chosen) minRev = Math.min(minRev, watcher.minRev);
    const lastRev = Math.min(currentRev, minRev + (this.options.unsyncedBatchRevisionsMax ?? watchUnsyncedBatchRevisionsMax) - 1);
    const batches = this.readHistory(chosen, minRev, lastRev);
    const cache: PrevKvCache = new Map();
    for (const watcher of chosen) {
      const events = batches.get(watcher);
      if (events !== undefined && !this.deliver(watcher, events, currentRev, cache)) {
        this.moveTo(watcher, 'victim');
        continue;
      }
      watcher.minRev = Math.max(watcher.minRev, lastRev + 1);
      if (watcher.minRev > currentRev) this.moveTo(watcher, 'synced');
    }
    return this.unsynced.size > 0;
  }

  /** Up to syncWatchersMax unsynced watchers ready for events; compacted ones get their notice instead. */
  private chooseUnsynced(compactRev: number, currentRev: number): Watcher[] {
    const chosen: Watcher[] = [];
    const limit = this.options.syncWatchersMax ?? watchSyncWatchersMax;
    for (const watcher of [...this.unsynced.watchers]) {
      if (watcher.buffer.length > 0) continue;
      if (watcher.minRev < compactRev) {
        this.unsynced.delete(watcher);
        watcher.stream.compacted(watcher, compactRev, currentRev);
        continue;
      }
      if (watcher.stream.paused) continue;
      chosen.push(watcher);
      if (chosen.length >= limit) break;
    }
    return chosen;
  }

  /** Events in revisions [minRev, lastRev] from the backend, per watcher (etcd's kvsToEvents + newWatcherBatch). */
  private readHistory(watchers: Watcher[], minRev: number, lastRev: number): Map<Watcher, Event[]> {
    const group = new WatcherGroup<Watcher>();
    for (const watcher of watchers) group.add(watcher);
    const batches = new Map<Watcher, Event[]>();
    const start = encodeRevision({ main: minRev, sub: 0 });
    const end = encodeRevision({ main: lastRev + 1, sub: 0 });
    for (const { key, value } of this.kv.backendReader().range('key', start, end)) {
      const kv = decodeKeyValue(value);
      let event: Event | undefined;
      group.forEachWatcherOf(keyToString(kv.key), (watcher) => {
        if (event === undefined) {
          // A tombstone stores only the key: patch in the revision of the deletion, as etcd does.
          event = isTombstone(key) ? { type: EventType.Delete, kv: { ...kv, modRevision: decodeRevision(key).main } } : { type: EventType.Put, kv };
        }
        if (event.kv.modRevision < watcher.minRev) return;
        const batch = batches.get(watcher);
        if (batch === undefined) batches.set(watcher, [event]);
        else batch.push(event);
      });
    }
    return batches;
  }
}
