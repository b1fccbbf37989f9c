// The lessor holds every lease of a member. Grants, revocations and checkpoints change replicated state, so the
// server applies them from the log, each inside the backend transaction of its entry (the `tx` parameter):
// every member then holds the same leases at the same index. Expiry is different: time differs between
// members, so only the leader (the "primary") tracks expiries, and it does not delete anything itself: it
// reports expired leases (rate-limited) and the server proposes their revocation through the log. The lessor
// has no timers and reads time only through the injected clock; the server drives it.
import { assert, AssertionError } from '../common/assert.ts';
import { Errors } from '../common/errors.ts';
import {
  leaseCheckpointBatchMax,
  leaseCheckpointIntervalMs,
  leaseExpiredRetryIntervalMs,
  leaseRevokesPerSecondMax,
  leaseTtlSecondsMax,
} from '../common/limits.ts';
import type { ReadTx, WriteTx } from '../storage/backend/backend.ts';
import { spreadExpiries } from './expiry-spread.ts';
import { keyText, Lease } from './lease.ts';
import { LeaseQueue } from './lease-queue.ts';
import { decodeLeaseRecord, encodeLeaseRecord, isLeaseId, leaseKey } from './lease-record.ts';
import { RateBudget } from './rate-budget.ts';

/** How a lessor is set up. */
export interface LessorOptions {
  /** Monotonic milliseconds; every expiry is measured on this clock. */
  clock: () => number;
  /** Granted TTLs below this are raised to it (etcd: 1.5 election timeouts, rounded up to whole seconds). */
  ttlSecondsMin: number;
  /** Defaults to `leaseCheckpointIntervalMs`. */
  checkpointIntervalMs?: number;
  /** Defaults to `leaseCheckpointBatchMax`. */
  checkpointBatchMax?: number;
  /** Defaults to `leaseExpiredRetryIntervalMs`. */
  expiredRetryIntervalMs?: number;
  /** Defaults to `leaseRevokesPerSecondMax`. */
  revokesPerSecondMax?: number;
}

/** A lease's remaining TTL to record through the log (the fields of etcd's LeaseCheckpoint). */
export interface LeaseCheckpoint {
  id: bigint;
  /** Seconds; 0 clears an earlier checkpoint (the lease counts from its full TTL again). */
  remainingTtl: number;
}

/** What TimeToLive reports for one lease. */
export interface LeaseTimeToLive {
  /** The TTL granted, in seconds. */
  grantedTtl: number;
  /** Whole seconds left (never negative: clients read -1 as "not found"). */
  remainingTtl: number;
  /** The attached keys when asked for, else empty. */
  keys: Uint8Array[];
}

/** The part of the lessor the MVCC store calls when a put attaches a key to a lease or a key leaves it. */
export interface LeaseAttachments {
  attach(leaseId: bigint, key: Uint8Array): void;
  detach(leaseId: bigint, key: Uint8Array): void;
}

/** All leases of one member. */
export class Lessor implements LeaseAttachments {
  private readonly leaseMap = new Map<bigint, Lease>();
  private readonly leaseIdByKey = new Map<string, bigint>();
  /** While primary: every lease, by expiry (or by when to report it again). */
  private readonly expiryQueue = new LeaseQueue();
  /** While primary: leases longer than the checkpoint interval, by when to checkpoint them next. */
  private readonly checkpointQueue = new LeaseQueue();
  /** Leases renewed while holding a checkpoint, whose checkpoint must be cleared through the log. */
  private readonly checkpointResets = new Set<bigint>();
  private primary = false;
  private readonly clock: () => number;
  private readonly ttlSecondsMin: number;
  private readonly checkpointIntervalMs: number;
  private readonly checkpointBatchMax: number;
  private readonly expiredRetryIntervalMs: number;
  private readonly revokesPerSecondMax: number;
  private readonly revokeBudget: RateBudget;

  constructor(options: LessorOptions) {
    assert(Number.isSafeInteger(options.ttlSecondsMin) && options.ttlSecondsMin >= 0, 'the minimum lease TTL must be whole seconds');
    this.clock = options.clock;
    this.ttlSecondsMin = options.ttlSecondsMin;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? leaseCheckpointIntervalMs;
    this.checkpointBatchMax = options.checkpointBatchMax ?? leaseCheckpointBatchMax;
    this.expiredRetryIntervalMs = options.expiredRetryIntervalMs ?? leaseExpiredRetryIntervalMs;
    this.revokesPerSecondMax = options.revokesPerSecondMax ?? leaseRevokesPerSecondMax;
    assert(this.checkpointIntervalMs > 0 && this.checkpointBatchMax > 0 && this.expiredRetryIntervalMs > 0, 'lessor intervals and batches must be positive');
    // etcd checks expiries every 500 ms and revokes at most half the per-second rate per check; the same burst
    // here keeps one check from spending a whole second's budget.
    this.revokeBudget = new RateBudget(this.revokesPerSecondMax, Math.max(1, Math.floor(this.revokesPerSecondMax / 2)));
  }

  /** A lessor holding the leases stored in the backend's 'lease' bucket, not primary. */
  static restore(backend: ReadTx, options: LessorOptions): Lessor {
    const lessor = new Lessor(options);
    lessor.load(backend);
    return lessor;
  }

  /**
   * Replaces every lease with those stored in `backend` (after a snapshot was installed). Attached keys are
   * forgotten: the MVCC store attaches them again as it rebuilds its index.
   */
  reload(backend: ReadTx): void {
    this.leaseMap.clear();
    this.leaseIdByKey.clear();
    this.expiryQueue.clear();
    this.checkpointQueue.clear();
    this.checkpointResets.clear();
    this.load(backend);
    if (this.primary) this.promote(0);
  }

  private load(backend: ReadTx): void {
    for (const { key, value } of backend.range('lease', new Uint8Array(0))) {
      const record = decodeLeaseRecord(key, value);
      // A shorter minimum may have been configured before this start; etcd raises stored TTLs the same way.
      const ttlSeconds = Math.max(record.ttlSeconds, this.ttlSecondsMin);
      this.leaseMap.set(record.id, new Lease(record.id, ttlSeconds, record.remainingTtlSeconds));
    }
  }

  /** Whether this lessor expires and renews leases (this member is the leader). */
  get isPrimary(): boolean {
    return this.primary;
  }

  /**
   * Applies a LeaseGrant inside `tx`. The TTL is raised to the minimum TTL. Throws Errors.LeaseTTLTooLarge,
   * Errors.LeaseExist, or Errors.LeaseNotFound for ID 0 (as etcd does: 0 means "no lease").
   */
  grant(tx: WriteTx, id: bigint, ttlSeconds: number): Lease {
    if (id === 0n) throw Errors.LeaseNotFound;
    if (!(isLeaseId(id))) throw new AssertionError(`lease ID ${id} is not an int64`);
    if (!(Number.isInteger(ttlSeconds) || ttlSeconds === Number.POSITIVE_INFINITY)) throw new AssertionError(`lease TTL ${ttlSeconds} is not whole seconds`);
    if (ttlSeconds > leaseTtlSecondsMax) throw Errors.LeaseTTLTooLarge;
    if (this.leaseMap.has(id)) throw Errors.LeaseExist;
    const lease = new Lease(id, Math.max(ttlSeconds, this.ttlSecondsMin));
    this.persist(tx, lease);
    this.leaseMap.set(id, lease);
    if (this.primary) this.startExpiring(lease, this.clock(), 0);
    return lease;
  }

  /**
   * Applies a LeaseRevoke inside `tx` and returns the keys attached, in byte order: the caller deletes them in
   * the same transaction. Throws Errors.LeaseNotFound.
   */
  revoke(tx: WriteTx, id: bigint): Uint8Array[] {
    const lease = this.leaseMap.get(id);
    if (!lease) throw Errors.LeaseNotFound;
    const keys = lease.keys();
    tx.delete('lease', leaseKey(id));
    this.leaseMap.delete(id);
    this.expiryQueue.remove(id);
    this.checkpointQueue.remove(id);
    this.checkpointResets.delete(id);
    for (const key of keys) {
      const text = keyText(key);
      if (this.leaseIdByKey.get(text) === id) this.leaseIdByKey.delete(text);
    }
    return keys;
  }

  /**
   * Renews a lease for its full TTL and returns that TTL (LeaseKeepAlive). Leader only: Errors.NotLeader
   * elsewhere. An unknown lease, or one already expired and awaiting revocation, gives Errors.LeaseNotFound.
   */
  renew(id: bigint): number {
    if (!this.primary) throw Errors.NotLeader;
    const lease = this.leaseMap.get(id);
    if (!lease) throw Errors.LeaseNotFound;
    const nowMs = this.clock();
    // etcd makes a renewal of an expired lease wait for the pending revocation and then answers "not found";
    // answering at once gives the client the same outcome without holding the stream.
    if (lease.isExpired(nowMs)) throw Errors.LeaseNotFound;
    // The checkpointed remaining TTL is stale now; a new leader would otherwise expire the lease early.
    if (lease.remainingTtlSeconds > 0) this.checkpointResets.add(id);
    lease.setExpiry(nowMs + lease.ttlSeconds * 1000);
    this.expiryQueue.upsert(id, lease.expiryMs);
    return lease.ttlSeconds;
  }

  /** The granted and remaining TTL of a lease, with its keys when `options.keys`. Throws Errors.LeaseNotFound. */
  timeToLive(id: bigint, options: { keys?: boolean } = {}): LeaseTimeToLive {
    const lease = this.leaseMap.get(id);
    if (!lease) throw Errors.LeaseNotFound;
    // Off the leader nothing expires; the best estimate is the last checkpoint (or the full TTL).
    const remainingTtl = this.primary ? Math.max(0, Math.trunc(lease.remainingMs(this.clock()) / 1000)) : lease.effectiveTtlSeconds;
    return { grantedTtl: lease.ttlSeconds, remainingTtl, keys: options.keys ? lease.keys() : [] };
  }

  /** The lease with `id`, if any. */
  lookup(id: bigint): Lease | undefined {
    return this.leaseMap.get(id);
  }

  /** Whether a lease with `id` exists. */
  exists(id: bigint): boolean {
    return this.leaseMap.has(id);
  }

  /** Every lease, soonest expiry first (ties, and all leases off the leader, by ID). */
  leases(): Lease[] {
    return [...this.leaseMap.values()].sort((a, b) => {
      if (a.expiryMs !== b.expiryMs) return a.expiryMs < b.expiryMs ? -1 : 1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  /** Attaches `key` to a lease (a put with that lease). Throws Errors.LeaseNotFound for an unknown lease. */
  attach(leaseId: bigint, key: Uint8Array): void {
    const lease = this.leaseMap.get(leaseId);
    if (!lease) throw Errors.LeaseNotFound;
    const text = keyText(key);
    // A key belongs to one lease at most; moving it must not leave it behind for the old lease to delete.
    const previous = this.leaseIdByKey.get(text);
    if (previous !== undefined && previous !== leaseId) this.leaseMap.get(previous)?.detachKey(text);
    lease.attachKey(text, key);
    this.leaseIdByKey.set(text, leaseId);
  }

  /**
   * Detaches `key` from a lease (the key was deleted or put without it). An unknown lease is not an error:
   * revoke drops the lease before the store deletes its keys.
   */
  detach(leaseId: bigint, key: Uint8Array): void {
    const text = keyText(key);
    this.leaseMap.get(leaseId)?.detachKey(text);
    if (this.leaseIdByKey.get(text) === leaseId) this.leaseIdByKey.delete(text);
  }

  /** The lease `key` is attached to, or 0n. */
  leaseOf(key: Uint8Array): bigint {
    return this.leaseIdByKey.get(keyText(key)) ?? 0n;
  }

  /**
   * Becomes primary (this member was elected and applied the entries of earlier terms). Every lease expires
   * `extendMs` (etcd: one election timeout) plus its checkpointed remaining TTL, or full TTL, from now, so
   * that a leader change neither shortens nor resets leases by more than the checkpoint interval.
   */
  promote(extendMs: number): void {
    assert(extendMs >= 0, 'promote needs a non-negative extension');
    this.primary = true;
    const nowMs = this.clock();
    for (const lease of this.leaseMap.values()) this.startExpiring(lease, nowMs, extendMs);
    if (this.leaseMap.size < this.revokesPerSecondMax) return; // too few leases to pile up
    for (const lease of spreadExpiries([...this.leaseMap.values()], nowMs, extendMs, this.revokesPerSecondMax)) {
      this.expiryQueue.upsert(lease.id, lease.expiryMs);
    }
  }

  /** Stops being primary (leadership lost): nothing expires here any more. */
  demote(): void {
    this.primary = false;
    for (const lease of this.leaseMap.values()) lease.forever();
    this.expiryQueue.clear();
    this.checkpointQueue.clear();
    this.checkpointResets.clear();
  }

  /**
   * Leases past their expiry at `nowMs`, for the server to revoke through the log; empty unless primary. At
   * most `revokesPerSecondMax` per second are reported. A reported lease is reported again after the retry
   * interval if it still exists by then (its revocation was lost, for instance in a leader change).
   */
  expiredLeases(nowMs: number = this.clock()): bigint[] {
    if (!this.primary) return [];
    const allowed = this.revokeBudget.available(nowMs);
    const expired: bigint[] = [];
    while (expired.length < allowed) {
      const head = this.expiryQueue.peek();
      if (!head || head.timeMs > nowMs) break;
      const lease = this.leaseMap.get(head.id);
      if (!(lease)) throw new AssertionError(`lease ${head.id} is queued for expiry but unknown`);
      if (!lease.isExpired(nowMs)) {
        this.expiryQueue.upsert(head.id, lease.expiryMs);
        continue;
      }
      this.expiryQueue.upsert(head.id, nowMs + this.expiredRetryIntervalMs);
      expired.push(head.id);
    }
    this.revokeBudget.spend(expired.length);
    return expired;
  }

  /**
   * Remaining TTLs due for a checkpoint at `nowMs` (at most one batch), for the server to propose as one
   * LeaseCheckpoint entry; empty unless primary. Cleared checkpoints of renewed leases come first.
   */
  checkpoints(nowMs: number = this.clock()): LeaseCheckpoint[] {
    if (!this.primary) return [];
    const due: LeaseCheckpoint[] = [];
    for (const id of this.checkpointResets) {
      if (due.length >= this.checkpointBatchMax) return due;
      this.checkpointResets.delete(id);
      due.push({ id, remainingTtl: 0 });
    }
    while (due.length < this.checkpointBatchMax) {
      const head = this.checkpointQueue.peek();
      if (!head || head.timeMs > nowMs) break;
      const lease = this.leaseMap.get(head.id);
      if (!(lease)) throw new AssertionError(`lease ${head.id} is queued for a checkpoint but unknown`);
      this.checkpointQueue.upsert(head.id, nowMs + this.checkpointIntervalMs);
      if (lease.isExpired(nowMs)) continue; // its revocation is on the way
      const remainingTtl = Math.ceil(lease.remainingMs(nowMs) / 1000);
      if (remainingTtl >= lease.ttlSeconds) continue; // nothing elapsed worth recording
      due.push({ id: head.id, remainingTtl });
    }
    return due;
  }

  /** Applies a LeaseCheckpoint inside `tx`: records each remaining TTL (unknown leases were revoked: skipped). */
  checkpoint(tx: WriteTx, checkpoints: readonly LeaseCheckpoint[]): void {
    for (const { id, remainingTtl } of checkpoints) {
      const lease = this.leaseMap.get(id);
      if (!lease) continue;
      // Normalised rather than asserted: a malformed value in the log must not stop every member alike.
      lease.setCheckpoint(Number.isFinite(remainingTtl) ? Math.max(0, Math.trunc(remainingTtl)) : 0);
      this.persist(tx, lease);
    }
  }

  private startExpiring(lease: Lease, nowMs: number, extendMs: number): void {
    lease.setExpiry(nowMs + extendMs + lease.effectiveTtlSeconds * 1000);
    this.expiryQueue.upsert(lease.id, lease.expiryMs);
    if (lease.ttlSeconds * 1000 > this.checkpointIntervalMs) this.checkpointQueue.upsert(lease.id, nowMs + this.checkpointIntervalMs);
  }

  private persist(tx: WriteTx, lease: Lease): void {
    const record = { id: lease.id, ttlSeconds: lease.ttlSeconds, remainingTtlSeconds: lease.remainingTtlSeconds };
    tx.put('lease', leaseKey(lease.id), encodeLeaseRecord(record));
  }
}
