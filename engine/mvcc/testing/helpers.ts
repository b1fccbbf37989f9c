// Small helpers shared by the MVCC tests: byte strings, a store over a fresh test backend with a manual
// scheduler, a lessor that records attachments, and a sink that records deliveries.
import type { Event } from '../event.ts';
import type { KeyValue } from '../key-value.ts';
import { KvStore, type KvStoreOptions } from '../kv-store.ts';
import type { LeaseAttachments } from '../lease-attachments.ts';
import type { WatchSink } from '../watcher.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { newTestBackend, type TestBackend } from './test-backend.ts';

/** UTF-8 bytes of a string. */
export function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text));
}

/** A KeyValue in readable form for assertions. */
export function show(kv: KeyValue | undefined): string {
  if (kv === undefined) return 'none';
  const lease = kv.lease === 0n ? '' : ` lease=${kv.lease}`;
  return `${Buffer.from(kv.key).toString()}=${Buffer.from(kv.value).toString()} c=${kv.createRevision} m=${kv.modRevision} v=${kv.version}${lease}`;
}

/** A store over a memory backend with a manual scheduler and debug checks on. */
export interface TestStore {
  store: KvStore;
  backend: TestBackend;
  scheduler: ManualScheduler;
  leases: RecordingLeases;
}

/** Opens a store for a test (a fresh backend unless one is given). */
export function openTestStore(options: Partial<KvStoreOptions> & { backend?: TestBackend } = {}): TestStore {
  const backend = options.backend ?? newTestBackend();
  const scheduler = (options.scheduler as ManualScheduler | undefined) ?? new ManualScheduler();
  const leases = new RecordingLeases();
  const store = KvStore.open({ debugChecks: true, leases, ...options, backend, scheduler });
  return { store, backend, scheduler, leases };
}

/** Puts one key in its own transaction; returns the revision. */
export function put(store: KvStore, key: string, value: string, lease = 0n): number {
  return store.write((txn) => txn.put(bytes(key), bytes(value), lease));
}

/** Deletes a key or range in its own transaction; returns the number deleted. */
export function remove(store: KvStore, key: string, end?: string | Uint8Array): number {
  const endBytes = typeof end === 'string' ? bytes(end) : end;
  return store.write((txn) => txn.deleteRange(bytes(key), endBytes).deleted);
}

/** A lessor that records what it is told and tracks key -> lease. */
export class RecordingLeases implements LeaseAttachments {
  readonly calls: string[] = [];
  readonly keys = new Map<string, bigint>();

  attach(leaseId: bigint, key: Uint8Array): void {
    this.calls.push(`attach ${leaseId} ${Buffer.from(key).toString()}`);
    this.keys.set(Buffer.from(key).toString(), leaseId);
  }

  detach(leaseId: bigint, key: Uint8Array): void {
    this.calls.push(`detach ${leaseId} ${Buffer.from(key).toString()}`);
    if (this.keys.get(Buffer.from(key).toString()) === leaseId) this.keys.delete(Buffer.from(key).toString());
  }
}

/** One call a RecordingSink received. */
export interface SinkRecord {
  watchId: number;
  events?: string[];
  revision?: number;
  compactRevision?: number;
}

/** A sink that records deliveries and accepts until told otherwise. */
export class RecordingSink implements WatchSink {
  readonly records: SinkRecord[] = [];
  /** Deliveries to accept before returning false (Infinity: always accept). */
  acceptRemaining = Infinity;

  onEvents(watchId: number, events: Event[], revision: number): boolean {
    this.records.push({ watchId, events: events.map(describeEvent), revision });
    this.acceptRemaining--;
    return this.acceptRemaining > 0;
  }

  onCompacted(watchId: number, compactRevision: number): void {
    this.records.push({ watchId, compactRevision });
  }

  /** Event descriptions delivered to one watcher, in order. */
  eventsOf(watchId: number): string[] {
    return this.records.filter((record) => record.watchId === watchId && record.events).flatMap((record) => record.events!);
  }
}

/** "PUT foo=bar@5" / "DELETE foo@6", plus " prev=..." when a previous value is attached. */
export function describeEvent(event: Event): string {
  const key = Buffer.from(event.kv.key).toString();
  const base = event.type === 'put' ? `PUT ${key}=${Buffer.from(event.kv.value).toString()}@${event.kv.modRevision}` : `DELETE ${key}@${event.kv.modRevision}`;
  return event.prevKv === undefined ? base : `${base} prev=${Buffer.from(event.prevKv.value).toString()}@${event.prevKv.modRevision}`;
}

/** A seeded pseudo-random generator in [0, 1) (mulberry32), so randomized tests reproduce exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}
