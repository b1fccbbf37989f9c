// The state machines the Applier drives, stated as the operations it needs. engine/server/state-adapters.ts
// binds them to the MVCC store and the lessor; tests can bind them to anything.
import type { WriteTx } from '../storage/backend/backend.ts';
import type { KvReadView, KvWriteView } from './kv-views.ts';

/** The result of HashKV. */
export interface KvHash {
  hash: number;
  currentRevision: number;
  compactRevision: number;
  hashRevision: number;
}

/** The MVCC key space as the Applier uses it. */
export interface MvccState {
  /** A read view at the current revision. */
  readView(): KvReadView;
  /**
   * Runs `apply` as one MVCC write transaction inside the backend transaction `tx`; all its changes share one
   * revision and watchers are notified after `tx` commits (`afterCommit`).
   */
  write<T>(tx: WriteTx, apply: (view: KvWriteView) => T): T;
  /** Notifies watchers of the changes of the last committed write (call after the backend commit). */
  afterCommit(): void;
  /** Forgets in-memory changes of writes whose backend transaction was rolled back. */
  afterAbort(): void;
  /** Records the applied index inside `tx` (atomically with the state it describes). */
  setConsistentIndex(tx: WriteTx, index: number): void;
  /** The applied index stored in the backend. */
  consistentIndex(): number;
  /**
   * Compacts up to `revision`: validates and records it inside `tx`; returns a promise that settles when the
   * physical removal (in batches, yielding to writes) is done.
   */
  compact(tx: WriteTx, revision: number): Promise<void>;
  hash(revision: number): KvHash;
  currentRevision(): number;
  compactedRevision(): number;
}

/** One lease as reported by TimeToLive. */
export interface LeaseStatus {
  grantedTtl: number;
  remainingTtl: number;
  keys: Uint8Array[];
}

/** The lessor as the Applier uses it. */
export interface LeaseState {
  grant(tx: WriteTx, id: bigint, ttlSeconds: number): { id: bigint; ttlSeconds: number };
  /** Removes the lease and returns the keys attached to it (the caller deletes them in the same tx). */
  revoke(tx: WriteTx, id: bigint): Uint8Array[];
  /** Stores checkpointed remaining TTLs. */
  checkpoint(tx: WriteTx, checkpoints: Array<{ id: bigint; remainingTtl: number }>): void;
  exists(id: bigint): boolean;
  renew(id: bigint): number;
  timeToLive(id: bigint, withKeys: boolean): LeaseStatus;
  ids(): bigint[];
  /** Leases past their expiry (only while primary), at a bounded rate. */
  expired(): bigint[];
  /** Remaining TTLs to checkpoint (only while primary). */
  checkpoints(): Array<{ id: bigint; remainingTtl: number }>;
  /** Becomes (or stops being) the member that expires and renews leases. */
  setPrimary(primary: boolean): void;
}
