// One resilient watch: a Watch stream with one watcher on it. When the stream breaks (member stopped, network),
// the watcher reconnects with back-off, on the next endpoint, from the revision after the last one it delivered,
// so no event is lost or repeated; when history is compacted past that revision it ends and says so.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { WatchRequest } from '../../../engine/proto/generated/etcdserverpb/WatchRequest.ts';
import type { WatchResponse__Output } from '../../../engine/proto/generated/etcdserverpb/WatchResponse.ts';
import type { Event__Output } from '../../../engine/proto/generated/mvccpb/Event.ts';
import type { EtcdConnection } from './etcd-connection.ts';
import { isServiceError, toCairnError } from './etcd-error.ts';

/** What to watch, in the connection's scoped keyspace. */
export interface WatchTarget {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  startRevision?: number;
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
}

/** What a watcher reports. */
export interface WatcherListener {
  onEvents(events: Event__Output[], revision: number): void;
  onLive(): void;
  onReconnecting(resumeRevision: number | null, message: string): void;
  onEnded(reason: 'compacted' | 'cancelled-by-server' | 'error', message: string, compactRevision: number | null): void;
}

/** Delays between reconnect attempts, in milliseconds (the last repeats). */
const reconnectDelaysMs = [200, 500, 1_000, 2_000, 5_000];

const filterNoPut = 0 as const;
const filterNoDelete = 1 as const;

/** A watch that survives lost connections. */
export class Watcher {
  private stream: ClientDuplexStream<WatchRequest, WatchResponse__Output> | undefined;
  /** The first revision not yet delivered; null until the server told us where the watch starts. */
  private nextRevision: number | null;
  private attempt = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  /** A watcher of `target` over `connection`; call `start()`. */
  constructor(private readonly connection: EtcdConnection, private readonly target: WatchTarget, private readonly listener: WatcherListener) {
    this.nextRevision = target.startRevision ?? null;
  }

  /** The revision the watch would resume from. */
  get resumeRevision(): number | null {
    return this.nextRevision;
  }

  /** Opens the stream. */
  start(): void {
    void this.open();
  }

  /** Cancels the watch for good. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const endpoint = this.connection.currentEndpoint;
    let stream: ClientDuplexStream<WatchRequest, WatchResponse__Output>;
    try {
      const channel = this.connection.channel(endpoint);
      const metadata = await this.connection.streamMetadata(channel);
      if (this.stopped) return;
      stream = channel.services.watch.watch(metadata);
    } catch (error) {
      this.connection.rotate(endpoint);
      return this.retry(toCairnError(error, endpoint.text).message);
    }
    this.stream = stream;
    const scope = this.connection.scope;
    const filters = [...(this.target.noPut ? [filterNoPut] : []), ...(this.target.noDelete ? [filterNoDelete] : [])];
    stream.write({
      create_request: {
        key: this.target.rangeEnd === undefined ? scope.key(this.target.key) : scope.rangeStart(this.target.key),
        range_end: scope.rangeEnd(this.target.rangeEnd),
        start_revision: this.nextRevision ?? 0,
        prev_kv: this.target.prevKv,
        progress_notify: true,
        filters,
      },
    });
    stream.on('data', (response: WatchResponse__Output) => this.onResponse(stream, response));
    stream.on('error', (error) => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = undefined;
      if (isServiceError(error) && /invalid auth token/.test(error.details)) this.connection.dropToken(this.connection.channel(endpoint));
      this.connection.rotate(endpoint);
      this.retry(toCairnError(error, endpoint.text).message);
    });
    stream.on('end', () => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = undefined;
      this.retry('the server closed the watch stream');
    });
  }

  private onResponse(stream: ClientDuplexStream<WatchRequest, WatchResponse__Output>, response: WatchResponse__Output): void {
    if (this.stream !== stream || this.stopped) return;
    const headerRevision = Number(response.header?.revision ?? 0);
    if (response.created) {
      this.attempt = 0;
      // A watch "from now" starts after the revision current at creation.
      this.nextRevision ??= headerRevision + 1;
      this.listener.onLive();
    }
    if (response.canceled) {
      const compactRevision = Number(response.compact_revision);
      this.stop();
      if (compactRevision > 0) {
        this.listener.onEnded('compacted', `History before revision ${compactRevision} was compacted; the watch cannot resume from revision ${this.nextRevision}.`, compactRevision);
      } else {
        this.listener.onEnded('cancelled-by-server', response.cancel_reason || 'The server cancelled the watch.', null);
      }
      return;
    }
    if (response.events.length > 0) {
      const last = response.events[response.events.length - 1]!;
      this.nextRevision = Number(last.kv?.mod_revision ?? headerRevision) + 1;
      this.listener.onEvents(response.events, headerRevision);
    } else if (!response.created && headerRevision > 0 && this.nextRevision !== null) {
      // A progress notification: every event up to this revision has been sent.
      this.nextRevision = Math.max(this.nextRevision, headerRevision + 1);
    }
  }

  private retry(message: string): void {
    if (this.stopped) return;
    this.listener.onReconnecting(this.nextRevision, message);
    const delay = reconnectDelaysMs[Math.min(this.attempt, reconnectDelaysMs.length - 1)]!;
    this.attempt += 1;
    this.timer = setTimeout(() => void this.open(), delay);
  }
}
