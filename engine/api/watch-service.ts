// The Watch service: one bidirectional stream carries many watchers. Creation, cancellation, progress
// requests and events follow etcd 3.4's v3rpc/watch.go: auto IDs start at 0 per stream, a duplicate ID is
// refused with a cancelled "created" response, a compacted start revision cancels the watcher with
// compact_revision set, and large event batches are split into fragments when the watcher asked for it.
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ServerApi } from '../server/server-api.ts';
import type { WatchEvent, WatchStream } from '../server/watch-hub.ts';
import { toProtoKeyValue } from '../server/apply-kv.ts';
import type { WatchRequest__Output } from '../proto/generated/etcdserverpb/WatchRequest.ts';
import type { WatchResponse } from '../proto/generated/etcdserverpb/WatchResponse.ts';
import type { WatchCreateRequest__Output } from '../proto/generated/etcdserverpb/WatchCreateRequest.ts';
import type { Event } from '../proto/generated/mvccpb/Event.ts';

const filterNoPut = 0;
const filterNoDelete = 1;
/** etcd sends progress notifications to idle watchers that asked for them every 10 minutes. */
const progressNotifyIntervalMs = 10 * 60 * 1000;

function toProtoEvent(event: WatchEvent, withPrevKv: boolean): Event {
  const result: Event = { type: event.type === 'put' ? 0 : 1, kv: toProtoKeyValue(event.kv) };
  if (withPrevKv && event.prevKv) result.prev_kv = toProtoKeyValue(event.prevKv);
  return result;
}

function approximateBytes(event: Event): number {
  const kv = event.kv!;
  return (kv.key as Uint8Array).length + (kv.value as Uint8Array).length + 64;
}

/** Splits events into fragments of at most `bytesMax` (always at least one event per fragment). */
function fragment(events: Event[], bytesMax: number): Event[][] {
  const fragments: Event[][] = [];
  let current: Event[] = [];
  let size = 0;
  for (const event of events) {
    const bytes = approximateBytes(event);
    if (current.length > 0 && size + bytes > bytesMax) {
      fragments.push(current);
      current = [];
      size = 0;
    }
    current.push(event);
    size += bytes;
  }
  if (current.length > 0) fragments.push(current);
  return fragments;
}

/** Per-watcher options kept by the stream. */
interface WatcherOptions {
  prevKv: boolean;
  fragment: boolean;
  progressNotify: boolean;
}

function watchStream(server: ServerApi) {
  return (call: ServerDuplexStream<WatchRequest__Output, WatchResponse>): void => {
    const options = new Map<number, WatcherOptions>();
    // etcd keeps a watcher cancelled by compaction registered until the client cancels it: the cancel then
    // succeeds and is answered, as for a live watcher.
    const compactedIds = new Set<number>();
    let closed = false;
    const send = (response: WatchResponse): boolean => (closed ? false : call.write(response));
    const stream: WatchStream = server.watchHub.openStream({
      onEvents: (watchId, events, revision) => {
        const watcher = options.get(watchId);
        if (!watcher) return true;
        const protoEvents = events.map((event) => toProtoEvent(event, watcher.prevKv));
        const header = server.header(revision);
        if (!watcher.fragment) return send({ header, watch_id: watchId, events: protoEvents });
        const parts = fragment(protoEvents, server.limits.requestBytesMax);
        let writable = true;
        parts.forEach((part, position) => {
          writable = send({ header, watch_id: watchId, events: part, fragment: position < parts.length - 1 }) && writable;
        });
        return writable;
      },
      onCompacted: (watchId, compactRevision) => {
        options.delete(watchId);
        compactedIds.add(watchId);
        // etcd 3.4 sends this cancellation with a header whose revision is 0.
        send({ header: { ...server.header(), revision: 0 }, watch_id: watchId, compact_revision: compactRevision, canceled: true });
      },
    });
    call.on('drain', () => stream.resume());

    const create = (request: WatchCreateRequest__Output): void => {
      const end = request.range_end.length > 0 ? request.range_end : undefined;
      const requestedId = Number(request.watch_id);
      const revision = server.watchHub.currentRevision();
      try {
        const id = stream.watch({
          id: requestedId === 0 ? undefined : requestedId,
          key: request.key,
          end,
          startRevision: Number(request.start_revision),
          prevKv: request.prev_kv,
          noPut: request.filters.includes(filterNoPut),
          noDelete: request.filters.includes(filterNoDelete),
        });
        options.set(id, { prevKv: request.prev_kv, fragment: request.fragment, progressNotify: request.progress_notify });
        send({ header: server.header(revision), watch_id: id, created: true });
      } catch (error) {
        // etcd answers a refused watch with ID -1, whatever ID was asked for.
        send({ header: server.header(revision), watch_id: -1, created: true, canceled: true, cancel_reason: (error as Error).message });
      }
    };

    const progressTimer = setInterval(() => {
      const revision = server.watchHub.currentRevision();
      for (const id of stream.syncedWatchers()) {
        if (options.get(id)?.progressNotify) send({ header: server.header(revision), watch_id: id });
      }
    }, progressNotifyIntervalMs);

    call.on('data', (request: WatchRequest__Output) => {
      switch (request.request_union) {
        case 'create_request':
          create(request.create_request!);
          break;
        case 'cancel_request': {
          const id = Number(request.cancel_request!.watch_id);
          if (stream.cancel(id) || compactedIds.delete(id)) {
            options.delete(id);
            send({ header: server.header(server.watchHub.currentRevision()), watch_id: id, canceled: true });
          }
          break;
        }
        case 'progress_request':
          // etcd 3.4 answers at once with watch ID -1 (a response for every watcher of the stream).
          send({ header: server.header(server.watchHub.currentRevision()), watch_id: -1 });
          break;
        default:
          break;
      }
    });
    const finish = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(progressTimer);
      stream.close();
    };
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('cancelled', finish);
    call.on('error', finish);
    call.on('close', finish);
  };
}

/** The grpc-js implementation of etcdserverpb.Watch. */
export function watchService(server: ServerApi): UntypedServiceImplementation {
  return { Watch: watchStream(server) };
}
