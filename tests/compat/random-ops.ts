// A seeded generator of random etcd operations over a small key space, so that operations interact: puts and
// deletes on the same keys, reads at old, compacted and future revisions, transactions whose compares sometimes
// hold, leases with keys attached, watchers started in the past, and deliberately bad requests. Every choice
// comes from the seed and from the reference server's answers (which are deterministic), so a seed replays.
import type { RangeRequest } from '../../engine/proto/generated/etcdserverpb/RangeRequest.ts';
import type { PutRequest } from '../../engine/proto/generated/etcdserverpb/PutRequest.ts';
import type { DeleteRangeRequest } from '../../engine/proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { TxnRequest } from '../../engine/proto/generated/etcdserverpb/TxnRequest.ts';
import type { RequestOp } from '../../engine/proto/generated/etcdserverpb/RequestOp.ts';
import type { Compare } from '../../engine/proto/generated/etcdserverpb/Compare.ts';
import type { WatchCreateRequest } from '../../engine/proto/generated/etcdserverpb/WatchCreateRequest.ts';
import { Rng } from './rng.ts';
import { keySpace, prefixEnd, prefixes, randomKeyRange, randomValue, values } from './key-space.ts';
import { RunState, type OperationSource } from './run-state.ts';
import { badOperation } from './bad-ops.ts';
import type { Operation } from './operations.ts';
import type { Outcome } from './normalize.ts';

/** Lease ids are explicit: etcd picks random ids for ID 0, which would differ between two servers. */
const leaseIdBase = 7000;

/** TTLs far longer than a run, so that no lease expires on its own at a timing-dependent moment. */
const leaseTtlSecondsRange = [120, 3600] as const;

/** Nesting depth of generated transactions (etcd allows nested txns since 3.3). */
const txnDepthMax = 2;

/** Generates `count` random operations from `seed`. */
export class RandomOperations implements OperationSource {
  readonly state = new RunState();
  private readonly rng: Rng;
  private produced = 0;
  private leasesIssued = 0;

  /** A generator of `count` operations whose choices are fixed by `seed`. */
  constructor(readonly seed: number, readonly count: number) {
    this.rng = new Rng(seed);
  }

  /** The next operation, or undefined after `count`. */
  next(): Operation | undefined {
    if (this.produced >= this.count) return undefined;
    this.produced += 1;
    const rng = this.rng;
    const kind = rng.weighted({
      put: 24, range: 20, deleteRange: 7, txn: 17, compact: 3, leaseGrant: 4, leaseRevoke: 2, leaseTimeToLive: 2,
      leaseLeases: 1, watchCreate: 5, watchCancel: 2, watchProgress: 1, bad: 7,
    });
    switch (kind) {
      case 'put': return { kind, request: this.put() };
      case 'range': return { kind, request: this.range() };
      case 'deleteRange': return { kind, request: this.deleteRange() };
      case 'txn': return { kind, request: this.txn(0) };
      case 'compact': return { kind, request: { revision: this.compactRevision(), physical: rng.chance(0.5) } };
      case 'leaseGrant': return { kind, request: { ID: this.grantId(), TTL: rng.int(...leaseTtlSecondsRange) } };
      case 'leaseRevoke': return { kind, id: this.leaseId() };
      case 'leaseTimeToLive': return { kind, id: this.leaseId(), keys: rng.chance(0.7) };
      case 'leaseLeases': return { kind };
      case 'watchCreate': return { kind, request: this.watchCreate() };
      case 'watchCancel': return { kind, watchId: this.watchId() };
      case 'watchProgress': return { kind };
      case 'bad': return badOperation(rng, this.state);
    }
  }

  /** Learns from the reference server's answer. */
  observe(operation: Operation, reference: Outcome): void {
    this.state.observe(operation, reference);
  }

  private put(): PutRequest {
    const rng = this.rng;
    const request: PutRequest = { key: rng.pick(keySpace), value: randomValue(rng), prev_kv: rng.chance(0.3) };
    const leases = [...this.state.leases];
    if (leases.length > 0 && rng.chance(0.25)) request.lease = rng.pick(leases);
    if (rng.chance(0.05)) {
      // Keep the stored value: valid only without a value and for an existing key.
      request.ignore_value = true;
      request.value = Buffer.alloc(0);
    }
    if (rng.chance(0.05) && request.lease === undefined) request.ignore_lease = true;
    return request;
  }

  /** A read revision: 0 (latest), a past one, exactly the compacted one, a compacted one, or a future one. */
  private readRevision(): number {
    const { revision, compacted } = this.state;
    const choice = this.rng.weighted({ past: 50, compactedExactly: 15, belowCompacted: 15, future: 20 });
    if (choice === 'compactedExactly' && compacted > 0) return compacted;
    if (choice === 'belowCompacted' && compacted > 1) return this.rng.int(1, compacted - 1);
    if (choice === 'future') return revision + this.rng.int(1, 3);
    return this.rng.int(Math.max(compacted, 1), revision);
  }

  private range(): RangeRequest {
    const rng = this.rng;
    const request: RangeRequest = { ...randomKeyRange(rng) };
    if (rng.chance(0.3)) request.limit = rng.int(1, 5);
    if (rng.chance(0.35)) {
      request.sort_order = rng.int(0, 2) as 0 | 1 | 2;
      request.sort_target = rng.int(0, 4) as 0 | 1 | 2 | 3 | 4;
    }
    if (rng.chance(0.25)) request.revision = this.readRevision();
    if (rng.chance(0.1)) request.count_only = true;
    if (rng.chance(0.1)) request.keys_only = true;
    if (rng.chance(0.3)) request.serializable = true;
    for (const filter of ['min_mod_revision', 'max_mod_revision', 'min_create_revision', 'max_create_revision'] as const) {
      if (rng.chance(0.08)) request[filter] = rng.int(0, this.state.revision);
    }
    return request;
  }

  private deleteRange(): DeleteRangeRequest {
    const rng = this.rng;
    const shape = rng.weighted({ single: 55, prefix: 25, other: 20 });
    const range = shape === 'single'
      ? { key: rng.pick(keySpace) }
      : shape === 'prefix' ? prefixRange(rng.pick(prefixes)) : randomKeyRange(rng);
    return { ...range, prev_kv: rng.chance(0.4) };
  }

  private txn(depth: number): TxnRequest {
    const rng = this.rng;
    const ops = (max: number): RequestOp[] => Array.from({ length: rng.int(0, max) }, () => this.requestOp(depth));
    return {
      compare: Array.from({ length: rng.int(0, 3) }, () => this.compare()),
      success: ops(3),
      failure: ops(2),
    };
  }

  private requestOp(depth: number): RequestOp {
    const kind = this.rng.weighted({ range: 35, put: 35, deleteRange: 20, txn: depth < txnDepthMax ? 10 : 0 });
    switch (kind) {
      case 'range': return { request_range: this.range() };
      case 'put': return { request_put: this.put() };
      case 'deleteRange': return { request_delete_range: this.deleteRange() };
      case 'txn': return { request_txn: this.txn(depth + 1) };
    }
  }

  private compare(): Compare {
    const rng = this.rng;
    const compare: Compare = { key: rng.pick(keySpace), result: rng.int(0, 3) as 0 | 1 | 2 | 3 };
    if (rng.chance(0.15)) Object.assign(compare, prefixRange(rng.pick(prefixes)));
    const target = rng.weighted({ version: 25, create: 20, mod: 20, value: 25, lease: 10 });
    const { revision } = this.state;
    switch (target) {
      case 'version': return { ...compare, target: 'VERSION', version: rng.int(0, 3) };
      case 'create': return { ...compare, target: 'CREATE', create_revision: rng.int(0, revision) };
      case 'mod': return { ...compare, target: 'MOD', mod_revision: rng.int(0, revision + 1) };
      case 'value': return { ...compare, target: 'VALUE', value: rng.pick(values) };
      case 'lease': return { ...compare, target: 'LEASE', lease: rng.pick(['0', ...this.state.leases]) };
    }
  }

  /** Mostly a valid revision above the compacted one; sometimes an already compacted or a future one. */
  private compactRevision(): number {
    const { revision, compacted } = this.state;
    const choice = this.rng.weighted({ valid: 75, compacted: 12, future: 13 });
    if (choice === 'compacted' || compacted >= revision) return this.rng.int(0, compacted);
    if (choice === 'future') return revision + this.rng.int(1, 2);
    return this.rng.int(compacted + 1, revision);
  }

  private grantId(): string {
    const existing = [...this.state.leases];
    if (existing.length > 0 && this.rng.chance(0.1)) return this.rng.pick(existing);
    this.leasesIssued += 1;
    return String(leaseIdBase + this.leasesIssued);
  }

  private leaseId(): string {
    const existing = [...this.state.leases];
    if (existing.length > 0 && this.rng.chance(0.8)) return this.rng.pick(existing);
    return String(leaseIdBase + this.rng.int(0, this.leasesIssued + 2));
  }

  private watchCreate(): WatchCreateRequest {
    const rng = this.rng;
    const { revision, compacted } = this.state;
    const request: WatchCreateRequest = { ...randomKeyRange(rng), prev_kv: rng.chance(0.3) };
    const start = rng.weighted({ now: 40, future: 20, past: 30, compacted: 10 });
    if (start === 'future') request.start_revision = revision + rng.int(1, 3);
    if (start === 'past') request.start_revision = rng.int(compacted + 1, revision);
    if (start === 'compacted' && compacted > 1) request.start_revision = rng.int(1, compacted - 1);
    const filter = rng.weighted({ none: 70, noPut: 15, noDelete: 15 });
    if (filter !== 'none') request.filters = [filter === 'noPut' ? 'NOPUT' : 'NODELETE'];
    return request;
  }

  private watchId(): string {
    const live = [...this.state.watches];
    if (live.length > 0 && this.rng.chance(0.85)) return this.rng.pick(live);
    return String(this.rng.int(0, 40));
  }
}

function prefixRange(prefix: Buffer): { key: Buffer; range_end: Buffer } {
  return { key: prefix, range_end: prefixEnd(prefix) };
}
