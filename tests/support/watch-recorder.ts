// Records what one logical watcher receives, for the watch guarantee checker, across reconnects: when the stream
// breaks (member killed, connection reset), it opens a new connection to the same member and creates the watch
// again from its last event's revision + 1 (or its start revision when it has seen none yet), as etcd's client
// does. Each watch call is one segment of the record; event responses and progress notifications are kept in
// arrival order.
import { connect, type EtcdClient, type WatchStream } from './grpc-client.ts';
import { fastReconnectChannelOptions } from './kv-load.ts';
import type { WatchResponse__Output } from '../../engine/proto/generated/etcdserverpb/WatchResponse.ts';
import type { WatcherRecord, WatchResponseRecord, WatchSegmentRecord } from './watch-guarantees.ts';

/** Options of a WatchRecorder. */
export interface WatchRecorderOptions {
  name: string;
  /** `host:port` of the member to watch on. */
  endpoint: string;
  key: string;
  /** etcd's range end: undefined for one key, '\0' for all keys from `key` on. */
  rangeEnd?: string;
  /** The first revision to watch (must be > 0, so that every segment has an explicit start). */
  startRevision: number;
  /** Ask for etcd's periodic progress notifications. */
  progressNotify?: boolean;
  /** Pause before reconnecting after the stream broke (default 200 ms). */
  reconnectDelayMs?: number;
  /** Watch calls at most, the first one included (default 500): a bound, not an expected number. */
  segmentsMax?: number;
  /** How long a create may take before the call is abandoned and retried (default 5 s). */
  createTimeoutMs?: number;
}

const pollMs = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Converts a WatchResponse to the checker's form; undefined for control responses (created, canceled). */
function responseRecord(response: WatchResponse__Output): WatchResponseRecord | undefined {
  const events = response.events ?? [];
  if (events.length === 0 && (response.created || response.canceled)) return undefined;
  if (events.length === 0) return { events: [], progressRevision: Number(response.header?.revision) };
  return {
    events: events.map((event) => ({
      type: event.type === 1 ? 'delete' as const : 'put' as const,
      key: event.kv?.key.toString('utf8') ?? '',
      value: event.type === 1 ? undefined : event.kv?.value.toString('utf8'),
      modRevision: Number(event.kv?.mod_revision),
    })),
  };
}

/** One watcher that survives broken streams, recording everything it receives. */
export class WatchRecorder {
  private readonly segments: WatchSegmentRecord[] = [];
  private lastEventRevision = 0;
  private covered = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private client: EtcdClient | undefined;
  private stream: WatchStream | undefined;

  /** A recorder; call start(). */
  constructor(readonly options: WatchRecorderOptions) {
    if (!(options.startRevision > 0)) throw new Error(`watch ${options.name}: the start revision must be positive`);
    this.covered = options.startRevision - 1;
  }

  /** The highest revision up to which this watcher has received everything (last event or progress). */
  get reachedRevision(): number {
    return this.covered;
  }

  /** Watch calls made so far. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Starts watching in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Waits until the watcher has reached `revision`; throws after `timeoutMs`. */
  async waitUntil(revision: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.covered < revision) {
      if (performance.now() >= deadline) {
        throw new Error(`watcher ${this.options.name} reached revision ${this.covered}, not ${revision}, within ${timeoutMs} ms`);
      }
      await sleep(pollMs);
    }
  }

  /** Stops watching and returns the record (with `caughtUpRevision` if given). */
  async stop(caughtUpRevision?: number): Promise<WatcherRecord> {
    this.stopped = true;
    this.stream?.close();
    this.client?.close();
    await this.loop;
    return this.record(caughtUpRevision);
  }

  /** The record so far. */
  record(caughtUpRevision?: number): WatcherRecord {
    const { name, key, rangeEnd } = this.options;
    return { name, key, rangeEnd, segments: this.segments.map((segment) => ({ ...segment, responses: [...segment.responses] })), caughtUpRevision };
  }

  private async run(): Promise<void> {
    const segmentsMax = this.options.segmentsMax ?? 500;
    while (!this.stopped && this.segments.length < segmentsMax) {
      const ended = await this.watchOnce();
      if (this.stopped) break;
      if (ended.startsWith('canceled')) break;
      await sleep(this.options.reconnectDelayMs ?? 200);
    }
  }

  /** One watch call, from create to the end of its stream; resolves with why it ended. */
  private async watchOnce(): Promise<string> {
    const startRevision = this.lastEventRevision > 0 ? this.lastEventRevision + 1 : this.options.startRevision;
    const segment: WatchSegmentRecord = { startRevision, responses: [] };
    this.segments.push(segment);
    const client = connect(this.options.endpoint, { channelOptions: fastReconnectChannelOptions });
    const stream = client.watch();
    this.client = client;
    this.stream = stream;
    let canceled: string | undefined;
    stream.onResponse((response) => {
      if (response.canceled) canceled = `canceled: ${response.cancel_reason || 'no reason'} (compact revision ${response.compact_revision})`;
      const record = responseRecord(response);
      if (record === undefined) return;
      segment.responses.push(record);
      for (const event of record.events) this.lastEventRevision = Math.max(this.lastEventRevision, event.modRevision);
      this.covered = Math.max(this.covered, this.lastEventRevision, record.progressRevision ?? 0);
    });
    try {
      await stream.create({
        key: this.options.key, range_end: this.options.rangeEnd, start_revision: startRevision,
        progress_notify: this.options.progressNotify ?? false,
      }, this.options.createTimeoutMs ?? 5_000);
      while (!stream.ended && !this.stopped && canceled === undefined) await sleep(pollMs);
      segment.endedBy = canceled ?? (stream.error ? `stream error: ${stream.error.message}` : this.stopped ? undefined : 'stream ended');
    } catch (error) {
      segment.endedBy = `create failed: ${(error as Error).message}`;
    } finally {
      stream.close();
      client.close();
    }
    return segment.endedBy ?? 'stopped';
  }
}
