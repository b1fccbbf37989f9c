// Watch streams as the API layer sees them. One gRPC watch stream opens one WatchStream; the hub delivers
// each watcher's events in revision order, never splitting a revision, and stops feeding a stream whose
// client is slow (the sink returns false) until it drains: a slow client then falls behind and is caught up
// from history later, instead of blocking writers or other watchers.
import type { KeyValue } from '../mvcc/key-value.ts';

/** One change seen by a watcher. */
export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  prevKv?: KeyValue;
}

/** What a watch stream receives. */
export interface WatchSink {
  /** Events of one watcher, complete revisions only; returns false when the client cannot take more now. */
  onEvents(watchId: number, events: WatchEvent[], revision: number): boolean;
  /** The watcher's start revision was compacted away; the watcher is cancelled. */
  onCompacted(watchId: number, compactRevision: number): void;
}

/** What a client asks to watch. */
export interface WatchOptions {
  /** The client's chosen ID, or undefined to let the stream pick the next free one. */
  id: number | undefined;
  key: Uint8Array;
  /** Same rules as range: undefined = single key, [0] = every key >= key. */
  end: Uint8Array | undefined;
  /** 0 = from the next revision. */
  startRevision: number;
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
}

/** The watchers of one client stream. */
export interface WatchStream {
  /** Creates a watcher and returns its ID; throws an Error whose message is etcd's cancel reason. */
  watch(options: WatchOptions): number;
  /** Cancels a watcher; false when it did not exist. */
  cancel(id: number): boolean;
  /** The store revision when every watcher of this stream is caught up, else undefined (no progress yet). */
  progressRevision(): number | undefined;
  /** IDs of watchers that are caught up, for periodic progress notifications. */
  syncedWatchers(): number[];
  /** The client drained its buffer: resume delivery. */
  resume(): void;
  /** Cancels every watcher of the stream. */
  close(): void;
}

/** The member's source of watch streams. */
export interface WatchHub {
  openStream(sink: WatchSink): WatchStream;
  /** The current store revision. */
  currentRevision(): number;
  /** Stops all streams (member shutdown). */
  close(): void;
}
