// The multi-version key-value store (etcd's kvstore.go): the 'key' bucket holds every revision, the in-memory
// index maps keys to their revisions, and 'meta' holds the consistent index and compaction progress.
//
// Writes. `write(apply, { consistentIndex })` runs one MVCC write transaction in ONE backend transaction,
// together with the consistent index. When the server must put other state machines' writes into the same
// backend transaction, it calls `writeInTx(tx, ...)` inside its own `backend.write` and then `afterCommit()`
// once that returned, or `afterAbort()` if it threw. Until then, changes are visible to reads in memory but
// nothing is announced: watchers and the lessor hear about a write only after it is committed.
import { assert, AssertionError } from '../common/assert.ts';
import { Errors } from '../common/errors.ts';
import { compactionBatchKeys, compactionBatchPauseMs, compactionIndexBatchKeys, mvccRestoreChunkKeys } from '../common/limits.ts';
import type { Backend, ReadTx, WriteTx } from '../storage/backend/backend.ts';
import { checkKeys, checkStore } from './consistency-check.ts';
import { hashKeyBucket, type KvHash } from './hash.ts';
import { KeyLeases, type KeyLeasesUndo } from './key-leases.ts';
import type { KeyValue } from './key-value.ts';
import { keyToString } from './key-range.ts';
import { Compactor } from './kv-store-compaction.ts';
import { restoreIndex } from './kv-store-restore.ts';
import { type LeaseChange, type StoreCore, StoreTxnRead, StoreTxnWrite, type TxnRead, type TxnWrite } from './kv-store-txn.ts';
import { type LeaseAttachments, noLeaseAttachments } from './lease-attachments.ts';
import { readCompactRevision, readConsistentIndex, writeCompactRevision, writeConsistentIndex } from './meta.ts';
import { type Scheduler, timerScheduler } from './scheduler.ts';
import { type IndexUndoLog, TreeIndex } from './tree-index.ts';

/** How to open a store. */
export interface KvStoreOptions {
  backend: Backend;
  /** Told which keys carry which lease. */
  leases?: LeaseAttachments;
  /** Timers for background compaction; real timers by default. */
  scheduler?: Scheduler;
  /** Backend keys per compaction batch (default: limits.compactionBatchKeys). */
  compactionBatchKeys?: number;
  /** Pause between compaction batches (default: limits.compactionBatchPauseMs). */
  compactionBatchPauseMs?: number;
  /** Index keys compacted per step (default: limits.compactionIndexBatchKeys). */
  compactionIndexBatchKeys?: number;
  /** Backend entries per chunk on restore (default: limits.mvccRestoreChunkKeys). */
  restoreChunkKeys?: number;
  /** After every committed write, check index and backend agree on the keys it touched (tests, debugging). */
  debugChecks?: boolean;
}

/** Options of one write transaction. */
export interface WriteOptions {
  /** The Raft index being applied, stored in 'meta' atomically with the changes. */
  consistentIndex?: number;
}

/** Receives the changes of every committed write transaction, in revision order. */
export type ChangeListener = (revision: number, changes: readonly KeyValue[]) => void;

/** A write transaction done in memory whose backend transaction has not been confirmed yet. */
interface PendingWrite {
  revision: number;
  previousRevision: number;
  changes: readonly KeyValue[];
  leaseChanges: LeaseChange[];
  undo: IndexUndoLog;
  leaseUndo: KeyLeasesUndo;
}

interface PendingCompaction {
  revision: number;
  settle: (finished: boolean) => void;
}

/** The MVCC store of one member. */
export class KvStore implements StoreCore {
  /** The key index; exposed for the watchable store and tests, not for mutation. */
  readonly index = new TreeIndex();
  /** Leases of the live keys (the store's copy of what it tells the lessor). */
  readonly keyLeases = new KeyLeases();
  private currentRev = 1;
  private compactMainRev = -1;
  private pendingWrites: PendingWrite[] = [];
  private pendingCompaction: PendingCompaction | undefined;
  private changeListener: ChangeListener | undefined;
  private readonly compactor: Compactor;
  private readonly leases: LeaseAttachments;
  private closed = false;

  private constructor(private readonly options: KvStoreOptions) {
    this.leases = options.leases ?? noLeaseAttachments;
    this.compactor = new Compactor({
      backend: options.backend,
      index: this.index,
      scheduler: options.scheduler ?? timerScheduler,
      indexBatchKeys: options.compactionIndexBatchKeys ?? compactionIndexBatchKeys,
      batchKeys: options.compactionBatchKeys ?? compactionBatchKeys,
      batchPauseMs: options.compactionBatchPauseMs ?? compactionBatchPauseMs,
    });
  }

  /** Opens the store over `backend`: rebuilds the index, reports leases, resumes an unfinished compaction. */
  static open(options: KvStoreOptions): KvStore {
    const store = new KvStore(options);
    store.restore();
    return store;
  }

  private restore(): void {
    const { backend } = this.options;
    const finished = readCompactRevision(backend, 'finished');
    if (finished !== undefined) this.compactMainRev = finished;
    let scheduled = readCompactRevision(backend, 'scheduled') ?? 0;
    const restored = restoreIndex(backend, this.index, this.options.restoreChunkKeys ?? mvccRestoreChunkKeys);
    // A compaction may have deleted the newest revisions (tombstones); the revision never goes back.
    this.currentRev = Math.max(restored.lastRevision, this.compactMainRev);
    if (scheduled <= this.compactMainRev) scheduled = 0;
    // etcd leaves currentRev below an interrupted compaction's revision in that same case and then fails to
    // resume it; the revision was current when the compaction was accepted, so it is a safe floor.
    if (scheduled !== 0) this.currentRev = Math.max(this.currentRev, scheduled);
    for (const [keyString, { leaseId, key }] of restored.leases) {
      this.keyLeases.set(keyString, leaseId);
      this.leases.attach(leaseId, key);
    }
    if (scheduled !== 0) void this.startCompaction(scheduled);
  }

  /**
   * Stops background work on the backend before its contents are replaced (a snapshot from the leader):
   * queued compactions are dropped; the replacement records its own, which reload() resumes.
   */
  prepareReload(): void {
    assert(this.pendingWrites.length === 0 && this.pendingCompaction === undefined, 'prepareReload inside a write transaction');
    this.compactor.cancelQueued();
  }

  /** Rebuilds index, revisions and lease attachments from the backend's replaced contents. */
  reload(): void {
    this.index.clear();
    this.keyLeases.clear();
    this.currentRev = 1;
    this.compactMainRev = -1;
    this.restore();
  }

  /** Revision of the last committed write transaction (1 for a new store). */
  currentRevision(): number {
    return this.currentRev;
  }

  /** Revision of the last compaction; -1 when the store was never compacted (as etcd reports it). */
  compactedRevision(): number {
    return this.compactMainRev;
  }

  /** The Raft index of the last applied entry, as stored in the backend (0 when none). */
  consistentIndex(): number {
    return readConsistentIndex(this.options.backend);
  }

  /** Stores the applied Raft index inside `tx`, for entries that change no keys. It never goes backwards. */
  setConsistentIndex(tx: WriteTx, index: number): void {
    const stored = readConsistentIndex(tx);
    if (!(index >= stored)) throw new AssertionError(`consistent index going backwards: ${index} after ${stored}`);
    writeConsistentIndex(tx, index);
  }

  /** Sets the function told about committed changes (the watchable store). */
  setChangeListener(listener: ChangeListener | undefined): void {
    this.changeListener = listener;
  }

  /** A read view at the current revision (over `tx` when given, else over the backend). */
  read(tx: ReadTx = this.options.backend): TxnRead {
    this.assertOpen();
    return new StoreTxnRead(this, tx);
  }

  /** The backend as a reader, for scans that bypass the index (watch catch-up). */
  backendReader(): ReadTx {
    return this.options.backend;
  }

  /** Runs `apply` as one write transaction in one backend transaction, then announces its changes. */
  write<T>(apply: (txn: TxnWrite) => T, options?: WriteOptions): T {
    this.assertNothingPending();
    let result: T;
    try {
      result = this.options.backend.write((tx) => this.writeInTx(tx, apply, options));
    } catch (error) {
      this.afterAbort();
      throw error;
    }
    this.afterCommit();
    return result;
  }

  /**
   * Runs `apply` as one write transaction inside the caller's backend transaction `tx`. If `apply` throws,
   * its changes are undone (index and backend) before the error propagates. The caller must call
   * `afterCommit()` once the backend transaction committed, or `afterAbort()` if it did not.
   */
  writeInTx<T>(tx: WriteTx, apply: (txn: TxnWrite) => T, options?: WriteOptions): T {
    this.assertOpen();
    const txn = new StoreTxnWrite(this, tx, this.currentRev);
    let result: T;
    try {
      result = apply(txn);
      assert(typeof (result as { then?: unknown } | null)?.then !== 'function', 'write transactions must be synchronous');
    } catch (error) {
      txn.rollback();
      throw error;
    }
    if (options?.consistentIndex !== undefined) this.setConsistentIndex(tx, options.consistentIndex);
    const changes = txn.changes();
    if (changes.length > 0) {
      assert(txn.beginRev === this.currentRev, 'write transactions overlapped');
      this.pendingWrites.push({ revision: txn.beginRev + 1, previousRevision: this.currentRev, changes, leaseChanges: txn.leaseChanges, undo: txn.undo, leaseUndo: txn.leaseUndo });
      this.currentRev = txn.beginRev + 1;
    }
    return result;
  }

  /** The backend transaction holding `writeInTx` / `compact` work committed: announce it. */
  afterCommit(): void {
    const writes = this.pendingWrites;
    this.pendingWrites = [];
    for (const write of writes) {
      for (const change of write.leaseChanges) {
        if (change.attach) this.leases.attach(change.leaseId, change.key);
        else this.leases.detach(change.leaseId, change.key);
      }
      if (this.options.debugChecks) checkKeys(this.options.backend, this, write.changes.map((kv) => keyToString(kv.key)));
      this.changeListener?.(write.revision, write.changes);
    }
    const compaction = this.pendingCompaction;
    this.pendingCompaction = undefined;
    if (compaction !== undefined) void this.startCompaction(compaction.revision).then(compaction.settle);
  }

  /** The backend transaction holding `writeInTx` / `compact` work was rolled back: forget that work. */
  afterAbort(): void {
    for (const write of this.pendingWrites.reverse()) {
      this.index.undo(write.undo);
      this.keyLeases.undo(write.leaseUndo);
      this.currentRev = write.previousRevision;
    }
    this.pendingWrites = [];
    this.pendingCompaction?.settle(false);
    this.pendingCompaction = undefined;
  }

  /**
   * Compacts history up to `rev`: throws Errors.Compacted when `rev` is not above the compacted revision and
   * Errors.FutureRev when it is above the current one; records the scheduled compaction (inside `tx` when
   * given, then `afterCommit()` is the caller's), refuses reads below `rev` from then on, and removes the
   * superseded revisions from the index and then the backend in small background steps. Settles with true
   * once they are gone, false if the store closed first (the compaction then resumes on the next open) or
   * the transaction was aborted.
   */
  compact(rev: number, tx?: WriteTx): Promise<boolean> {
    this.assertOpen();
    if (rev <= this.compactMainRev) throw Errors.Compacted;
    if (rev > this.currentRev) throw Errors.FutureRev;
    assert(this.pendingCompaction === undefined, 'two compactions in one backend transaction');
    let settle: (finished: boolean) => void = () => {};
    const done = new Promise<boolean>((resolve) => (settle = resolve));
    if (tx !== undefined) {
      writeCompactRevision(tx, 'scheduled', rev);
      this.pendingCompaction = { revision: rev, settle };
      return done;
    }
    this.assertNothingPending();
    this.options.backend.write((own) => writeCompactRevision(own, 'scheduled', rev));
    this.pendingCompaction = { revision: rev, settle };
    this.afterCommit();
    return done;
  }

  private startCompaction(rev: number): Promise<boolean> {
    if (!(rev > this.compactMainRev && rev <= this.currentRev)) throw new AssertionError(`compaction at ${rev} outside (${this.compactMainRev}, ${this.currentRev}]`);
    this.compactMainRev = rev;
    return this.compactor.enqueue(rev);
  }

  /** etcd's HashByRev: the hash of the key bucket at `rev` (0: the current revision). */
  hashByRev(rev: number): KvHash {
    this.assertOpen();
    const compactRev = this.compactMainRev;
    const currentRev = this.currentRev;
    if (rev > 0 && rev <= compactRev) throw Errors.Compacted;
    if (rev > 0 && rev > currentRev) throw Errors.FutureRev;
    return hashKeyBucket(this.options.backend, this.index, rev === 0 ? currentRev : rev, currentRev, compactRev);
  }

  /** HashByRev at the current revision. */
  hash(): KvHash {
    return this.hashByRev(0);
  }

  /** True while a physical compaction is queued or running. */
  compacting(): boolean {
    return this.compactor.busy;
  }

  /** Checks that the whole index and the whole key bucket agree (slow; tests and debugging). */
  verify(): void {
    this.index.checkInvariants();
    checkStore(this.options.backend, this);
  }

  /** Stops background compaction; the store is unusable afterwards. The backend stays open. */
  close(): void {
    this.closed = true;
    this.compactor.stop();
    this.changeListener = undefined;
  }

  private assertOpen(): void {
    assert(!this.closed, 'mvcc: closed');
  }

  private assertNothingPending(): void {
    this.assertOpen();
    assert(this.pendingWrites.length === 0 && this.pendingCompaction === undefined, 'writeInTx/compact without afterCommit or afterAbort');
  }
}
