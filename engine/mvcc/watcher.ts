// Watchers and watch streams (etcd's watcher.go). The layer above (one gRPC Watch stream) opens a WatchStream
// with a WatchSink and creates watchers on it. Delivery is push with explicit back-pressure:
//
// - the store calls `sink.onEvents(watchId, events, revision)` with complete revisions only, in revision
//   order per watcher; the sink returns false when it cannot take more now (its socket buffer is full);
// - from then on the stream is paused: new events are kept in a bounded per-watcher buffer
//   (`watchEventBufferMax` events); a watcher whose buffer would overflow becomes a "victim": its events are
//   dropped from memory and it is later caught up from the backend, like a watcher that started in the past;
// - the sink calls `stream.resume()` when it can take more (on 'drain'); buffers are flushed, then victims
//   rejoin the catch-up loop.
//
// A slow client therefore costs bounded memory and never blocks writers or other streams.
import { watchBatchEventsMax, watchEventBufferMax } from '../common/limits.ts';
import { type Event, EventType } from './event.ts';
import { keyStringInfinity, keyToString, type KeyString, rangeEndToString } from './key-range.ts';
import type { WatchedRange } from './watcher-group.ts';

/** The cancel reasons etcd sends for a refused watch, byte-for-byte. */
export const WatchErrors = {
  EmptyRange: 'mvcc: watcher range is empty',
  DuplicateId: 'mvcc: duplicate watch ID provided on the WatchStream',
} as const;

/** A watch that could not be created; the message is etcd's cancel reason. */
export class WatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchError';
  }
}

/** etcd's watch filters: drop puts or drop deletes. */
export type WatchFilter = 'noPut' | 'noDelete';

/** Options of one watcher. */
export interface WatchOptions {
  /** The watch ID; undefined or 0 takes the stream's next free ID (etcd's AutoWatchID is 0). */
  id?: number;
  /** Attach each event's previous key-value (read at modRevision - 1). */
  prevKv?: boolean;
  filters?: readonly WatchFilter[];
}

/** Receives a stream's output. Implemented by the gRPC watch stream; must not throw. */
export interface WatchSink {
  /**
   * Events of one watcher: one or more complete revisions, in order. `revision` is the store revision the
   * response header should carry. Return false when no more can be taken until `resume()` is called.
   */
  onEvents(watchId: number, events: Event[], revision: number): boolean;
  /**
   * The watcher needed history compacted away (below `compactRevision`); it is already cancelled.
   * `revision` is the store's current revision (etcd 3.4 itself sends 0 in this response's header).
   */
  onCompacted(watchId: number, compactRevision: number, revision: number): void;
}

/** Where a watcher is in its life. */
export type WatcherState = 'synced' | 'unsynced' | 'victim' | 'compacted' | 'cancelled';

/** Events waiting for a paused sink. */
interface Delivery {
  events: Event[];
  revision: number;
}

/** What a stream needs from the watchable store. */
export interface WatchHub {
  /** Registers a new watcher from `startRev` (0: from the next revision). */
  addWatcher(watcher: Watcher, startRev: number): void;
  /** Unregisters a watcher from whatever group holds it. */
  removeWatcher(watcher: Watcher): void;
  /** The current revision when the watcher is synced with nothing buffered, else undefined. */
  progress(watcher: Watcher): number | undefined;
  /** A stream's sink can take events again: its victims may be caught up. */
  streamResumed(stream: WatchStream): void;
}

/** One watcher of a key or key range. */
export class Watcher implements WatchedRange {
  /** The next revision this watcher needs. */
  minRev = 0;
  state: WatcherState = 'unsynced';
  /** Events for a paused sink, oldest first. */
  readonly buffer: Delivery[] = [];
  bufferedEvents = 0;

  constructor(
    readonly stream: WatchStream,
    readonly id: number,
    readonly key: KeyString,
    readonly end: KeyString | undefined,
    readonly prevKv: boolean,
    private readonly filters: readonly WatchFilter[],
  ) {}

  /** Stops the watcher; false when it was already gone. */
  cancel(): boolean {
    return this.stream.cancel(this.id);
  }

  /** The events this watcher wants (etcd's FilterFunc: a filter returning true drops the event). */
  filter(events: Event[]): Event[] {
    if (this.filters.length === 0) return events;
    const noPut = this.filters.includes('noPut');
    const noDelete = this.filters.includes('noDelete');
    return events.filter((event) => !(noPut && event.type === EventType.Put) && !(noDelete && event.type === EventType.Delete));
  }
}

/** The watchers of one client stream, sharing one sink. */
export class WatchStream {
  private readonly watchers = new Map<number, Watcher>();
  private nextId = 0;
  private closed = false;
  private flushing = false;
  /** The sink returned false and has not resumed yet. */
  paused = false;

  constructor(
    private readonly hub: WatchHub,
    private readonly sink: WatchSink,
    private readonly bufferEventsMax = watchEventBufferMax,
  ) {}

  /**
   * Watches [key, end) from `startRev` (0: from the next revision; a past revision replays history). `end`
   * undefined watches one key; [0] or empty watches every key >= key. Throws a WatchError with etcd's
   * message for an empty range or a duplicate ID.
   */
  watch(key: Uint8Array, end: Uint8Array | undefined, startRev: number, options: WatchOptions = {}): Watcher {
    const keyString = keyToString(key);
    const endString = rangeEndToString(end);
    if (endString !== undefined && endString !== keyStringInfinity && keyString >= endString) throw new WatchError(WatchErrors.EmptyRange);
    if (this.closed) throw new WatchError(WatchErrors.EmptyRange); // etcd answers a closed stream this way
    let id = options.id ?? 0;
    if (id === 0) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    } else if (this.watchers.has(id)) {
      throw new WatchError(WatchErrors.DuplicateId);
    }
    const watcher = new Watcher(this, id, keyString, endString, options.prevKv ?? false, options.filters ?? []);
    this.watchers.set(id, watcher);
    this.hub.addWatcher(watcher, startRev);
    return watcher;
  }

  /** Cancels a watcher; false when no watcher has this ID. */
  cancel(id: number): boolean {
    const watcher = this.watchers.get(id);
    if (watcher === undefined) return false;
    this.watchers.delete(id);
    this.hub.removeWatcher(watcher);
    watcher.state = 'cancelled';
    this.dropBuffer(watcher);
    return true;
  }

  /** The revision to report in a progress notification: only while the watcher is synced (etcd's rule). */
  progress(id: number): number | undefined {
    const watcher = this.watchers.get(id);
    return watcher === undefined ? undefined : this.hub.progress(watcher);
  }

  /** The watcher with this ID, if it is active. */
  watcher(id: number): Watcher | undefined {
    return this.watchers.get(id);
  }

  /** IDs of the active watchers. */
  ids(): number[] {
    return [...this.watchers.keys()];
  }

  /** The sink can take events again: flush buffers oldest first, then let victims catch up. */
  resume(): void {
    if (this.closed) return;
    this.paused = false;
    if (this.flushing) return; // called from inside onEvents: the running flush continues
    this.flushing = true;
    try {
      for (const watcher of this.watchers.values()) {
        while (watcher.buffer.length > 0 && !this.paused) this.flushBatch(watcher);
        if (this.paused) break;
      }
    } finally {
      this.flushing = false;
    }
    this.hub.streamResumed(this);
  }

  /** Cancels every watcher; the stream is unusable afterwards. */
  close(): void {
    for (const id of [...this.watchers.keys()]) this.cancel(id);
    this.closed = true;
  }

  /** Hands a watcher compaction notice to the sink and forgets the watcher (the hub already removed it). */
  compacted(watcher: Watcher, compactRevision: number, revision: number): void {
    this.watchers.delete(watcher.id);
    watcher.state = 'compacted';
    this.dropBuffer(watcher);
    this.sink.onCompacted(watcher.id, compactRevision, revision);
  }

  /**
   * Offers complete revisions of events to a watcher: sent at once when possible, else buffered. Returns
   * false when the buffer has no room: the caller makes the watcher a victim.
   */
  offer(watcher: Watcher, events: Event[], revision: number): boolean {
    if (watcher.buffer.length === 0 && !this.paused) {
      if (!this.sink.onEvents(watcher.id, events, revision)) this.paused = true;
      return true;
    }
    // A revision larger than the whole buffer is still taken into an empty buffer: it cannot be split.
    if (watcher.bufferedEvents > 0 && watcher.bufferedEvents + events.length > this.bufferEventsMax) return false;
    watcher.buffer.push({ events, revision });
    watcher.bufferedEvents += events.length;
    return true;
  }

  /** Sends buffered revisions, up to watchBatchEventsMax events unless one revision alone is larger. */
  private flushBatch(watcher: Watcher): void {
    let events: Event[] = [];
    let revision = 0;
    while (watcher.buffer.length > 0) {
      const next = watcher.buffer[0]!;
      if (events.length > 0 && events.length + next.events.length > watchBatchEventsMax) break;
      watcher.buffer.shift();
      watcher.bufferedEvents -= next.events.length;
      events = events.length === 0 ? next.events : events.concat(next.events);
      revision = next.revision;
    }
    if (!this.sink.onEvents(watcher.id, events, revision)) this.paused = true;
  }

  private dropBuffer(watcher: Watcher): void {
    watcher.buffer.length = 0;
    watcher.bufferedEvents = 0;
  }
}
