// One client watch stream, whatever carries it (a gRPC bidirectional stream or the gateway's HTTP stream).
// Creation, cancellation, progress requests and events follow etcd 3.4's v3rpc/watch.go: auto IDs start at
// 0 per stream, a refused watch is answered with ID -1 and a cancel reason, a compacted start revision
// cancels the watcher with compact_revision set, and large event batches are split into fragments when the
// watcher asked for it.
import type { Caller, ServerApi } from '../server/server-api.ts';
import type { WatchEvent, WatchStream } from '../server/watch-hub.ts';
import { toProtoKeyValue } from '../server/apply-kv.ts';
import type { WatchRequest__Output } from '../proto/generated/etcdserverpb/WatchRequest.ts';
import type { WatchResponse } from '../proto/generated/etcdserverpb/WatchResponse.ts';
import type { WatchCreateRequest__Output } from '../proto/generated/etcdserverpb/WatchCreateRequest.ts';
import type { Event } from '../proto/generated/mvccpb/Event.ts';

const filterNoPut = 0;
const filterNoDelete = 1;

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

/** The watchers of one client stream and the responses they produce. */
export class WatchSession {
  private readonly options = new Map<number, WatcherOptions>();
  // etcd keeps a watcher cancelled by compaction registered until the client cancels it: the cancel then
  // succeeds and is answered, as for a live watcher.
  private readonly compactedIds = new Set<number>();
  private readonly stream: WatchStream;
  private readonly progressTimer: NodeJS.Timeout;
  private closed = false;
  /** The stream's requests are handled one after another: a create may wait for its caller's token to be known. */
  private pending: Promise<void> = Promise.resolve();

  /**
   * `write` sends one response and returns false when the transport's buffer is full. `fail` ends the transport
   * when handling a request breaks an invariant (the session is closed first; other streams go on).
   */
  constructor(
    private readonly server: ServerApi,
    private readonly write: (response: WatchResponse) => boolean,
    private readonly fail: (error: Error) => void,
    private readonly caller?: Caller,
  ) {
    this.stream = server.watchHub.openStream({
      onEvents: (watchId, events, revision) => this.sendEvents(watchId, events, revision),
      onCompacted: (watchId, compactRevision) => {
        this.options.delete(watchId);
        this.compactedIds.add(watchId);
        // etcd 3.4 sends this cancellation with a header whose revision is 0.
        this.send({ header: { ...server.header(), revision: 0 }, watch_id: watchId, compact_revision: compactRevision, canceled: true });
      },
    });
    this.progressTimer = setInterval(() => this.sendProgressNotifications(), server.limits.watchProgressNotifyIntervalMs);
  }

  /** Handles one client request, after the ones received before it. */
  handle(request: WatchRequest__Output): void {
    this.pending = this.pending
      .then(() => this.handleInOrder(request))
      .catch((error: unknown) => {
        // A rejected link would skip every later request of the stream; end the stream visibly instead.
        this.close();
        this.fail(error instanceof Error ? error : new Error(String(error)));
      });
  }

  private async handleInOrder(request: WatchRequest__Output): Promise<void> {
    if (this.closed) return;
    switch (request.request_union) {
      case 'create_request':
        await this.create(request.create_request!);
        break;
      case 'cancel_request': {
        const id = Number(request.cancel_request!.watch_id);
        if (this.stream.cancel(id) || this.compactedIds.delete(id)) {
          this.options.delete(id);
          this.send({ header: this.server.header(this.server.watchHub.currentRevision()), watch_id: id, canceled: true });
        }
        break;
      }
      case 'progress_request':
        // etcd 3.4 answers at once with watch ID -1 (a response for every watcher of the stream).
        this.send({ header: this.server.header(this.server.watchHub.currentRevision()), watch_id: -1 });
        break;
      default:
        break;
    }
  }

  /** The transport drained its buffer. */
  resume(): void {
    this.stream.resume();
  }

  /** Cancels every watcher; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.progressTimer);
    this.stream.close();
  }

  private send(response: WatchResponse): boolean {
    return this.closed ? false : this.write(response);
  }

  private sendEvents(watchId: number, events: WatchEvent[], revision: number): boolean {
    const watcher = this.options.get(watchId);
    if (!watcher) return true;
    const protoEvents = events.map((event) => toProtoEvent(event, watcher.prevKv));
    const header = this.server.header(revision);
    if (!watcher.fragment) return this.send({ header, watch_id: watchId, events: protoEvents });
    const parts = fragment(protoEvents, this.server.limits.requestBytesMax);
    let writable = true;
    parts.forEach((part, position) => {
      writable = this.send({ header, watch_id: watchId, events: part, fragment: position < parts.length - 1 }) && writable;
    });
    return writable;
  }

  private sendProgressNotifications(): void {
    const revision = this.server.watchHub.currentRevision();
    for (const id of this.stream.syncedWatchers()) {
      if (this.options.get(id)?.progressNotify) this.send({ header: this.server.header(revision), watch_id: id });
    }
  }

  private async create(request: WatchCreateRequest__Output): Promise<void> {
    const end = request.range_end.length > 0 ? request.range_end : undefined;
    const requestedId = Number(request.watch_id);
    let revision = this.server.watchHub.currentRevision();
    try {
      // etcd checks READ over the watched range once, at creation; a refusal is a cancelled create.
      await this.server.authorizeWatch(this.caller, request.key, request.range_end);
      if (this.closed) return;
      revision = this.server.watchHub.currentRevision();
      const id = this.stream.watch({
        id: requestedId === 0 ? undefined : requestedId,
        key: request.key,
        end,
        startRevision: Number(request.start_revision),
        prevKv: request.prev_kv,
        noPut: request.filters.includes(filterNoPut),
        noDelete: request.filters.includes(filterNoDelete),
      });
      this.options.set(id, { prevKv: request.prev_kv, fragment: request.fragment, progressNotify: request.progress_notify });
      this.send({ header: this.server.header(revision), watch_id: id, created: true });
    } catch (error) {
      // etcd answers a refused watch with ID -1, whatever ID was asked for.
      this.send({ header: this.server.header(revision), watch_id: -1, created: true, canceled: true, cancel_reason: (error as Error).message });
    }
  }
}
