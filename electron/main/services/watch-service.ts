// Watches of one session (one window or browser tab): events are buffered per watch and pushed at most every
// `flushMs`, in batches, through a bounded buffer: when the window falls behind (1,000 events/s), the oldest
// events are dropped and the next batch says how many, instead of main's memory or the IPC channel filling up.
// Closing the session stops its watches.
import { randomUUID } from 'node:crypto';
import type { WatchBatch, WatchEvent, WatchService, WatchStateChange } from '../../common/contract.ts';
import { valuePreviewBytesDefault, watchBatchEventsMax, watchBufferEventsMax, watchesPerSessionMax } from '../../common/limits.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import { prefixRange, toKeyValue } from '../etcd/kv-api.ts';
import { Watcher } from '../etcd/watcher.ts';
import { Emitter } from '../util/emitter.ts';
import { refuse, settle } from './call.ts';

/** How often buffered events are pushed, in milliseconds. */
export const watchFlushMs = 50;

interface ActiveWatch {
  watcher: Watcher;
  buffer: WatchEvent[];
  dropped: number;
  revision: number;
}

/** A session's watch service and its disposal. */
export interface SessionWatches {
  service: WatchService;
  dispose(): void;
}

/** The watch service of one session. */
export function createWatchService(registry: ConnectionRegistry): SessionWatches {
  const watches = new Map<string, ActiveWatch>();
  const received = new Emitter<WatchBatch>();
  const changed = new Emitter<WatchStateChange>();
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    timer = undefined;
    for (const [watchId, watch] of watches) {
      while (watch.buffer.length > 0) {
        const events = watch.buffer.splice(0, watchBatchEventsMax);
        received.fire({ watchId, events, revision: watch.revision, dropped: watch.dropped });
        watch.dropped = 0;
      }
    }
  };
  const schedule = (): void => {
    timer ??= setTimeout(flush, watchFlushMs);
  };
  const state = (watchId: string, change: Omit<WatchStateChange, 'watchId'>): void => changed.fire({ watchId, ...change });

  const service: WatchService = {
    start: (args) => settle(async () => {
      if (watches.size >= watchesPerSessionMax) refuse('busy', `At most ${watchesPerSessionMax} watches can run at once in one window; stop one first.`);
      const connection = registry.get(args.connectionId);
      const watchId = randomUUID();
      const previewBytes = args.valuePreviewBytes ?? valuePreviewBytesDefault;
      const range = args.prefix ? prefixRange(args.key) : { key: args.key };
      const watcher = new Watcher(connection, {
        key: range.key, rangeEnd: range.rangeEnd, startRevision: args.startRevision, prevKv: args.prevKv ?? false,
        noPut: args.noPut ?? false, noDelete: args.noDelete ?? false,
      }, {
        onEvents: (events, revision) => {
          const watch = watches.get(watchId);
          if (!watch) return;
          for (const event of events) {
            if (!event.kv) continue;
            watch.buffer.push({
              type: event.type === 1 ? 'delete' : 'put',
              kv: toKeyValue(event.kv, connection.scope, previewBytes),
              prevKv: event.prev_kv ? toKeyValue(event.prev_kv, connection.scope, previewBytes) : null,
            });
          }
          if (watch.buffer.length > watchBufferEventsMax) watch.dropped += watch.buffer.splice(0, watch.buffer.length - watchBufferEventsMax).length;
          watch.revision = revision;
          schedule();
        },
        onLive: () => state(watchId, { state: 'live', reason: null, compactRevision: null, resumeRevision: watcher.resumeRevision, message: null }),
        onReconnecting: (resumeRevision, message) => state(watchId, { state: 'reconnecting', reason: null, compactRevision: null, resumeRevision, message }),
        onEnded: (reason, message, compactRevision) => {
          flush();
          watches.delete(watchId);
          state(watchId, { state: 'ended', reason, compactRevision, resumeRevision: watcher.resumeRevision, message });
        },
      });
      watches.set(watchId, { watcher, buffer: [], dropped: 0, revision: 0 });
      watcher.start();
      return { watchId };
    }),
    stop: (args) => settle(async () => {
      const watch = watches.get(args.watchId);
      if (!watch) refuse('not-found', 'That watch is not running (it ended or belongs to another window).');
      watch.watcher.stop();
      flush();
      watches.delete(args.watchId);
      state(args.watchId, { state: 'ended', reason: 'stopped', compactRevision: null, resumeRevision: watch.watcher.resumeRevision, message: null });
      return null;
    }),
    onDidReceive: received.event,
    onDidChangeState: changed.event,
  };
  return {
    service,
    dispose: () => {
      clearTimeout(timer);
      for (const watch of watches.values()) watch.watcher.stop();
      watches.clear();
      received.dispose();
      changed.dispose();
    },
  };
}
