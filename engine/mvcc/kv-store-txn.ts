// Read and write transactions over the store (etcd's kvstore_txn.go). A read sees the store at the revision
// current when it began. A write gives all its changes one main revision (the current revision + 1) with
// sub revisions 0, 1, 2, ... in order, and reads inside it see its own changes. A write that changes nothing
// does not use up a revision.
import { assert, AssertionError } from '../common/assert.ts';
import { Errors } from '../common/errors.ts';
import type { ReadTx, WriteTx } from '../storage/backend/backend.ts';
import { decodeKeyValue, encodeKeyValue, type KeyValue, tombstoneKeyValue } from './key-value.ts';
import type { KeyLeases, KeyLeasesUndo } from './key-leases.ts';
import { keyFromString, keyToString, type KeyString, rangeEndToString } from './key-range.ts';
import { encodeRevision, type Revision } from './revision.ts';
import type { IndexUndoLog, TreeIndex } from './tree-index.ts';

/** Options of a range read. */
export interface RangeOptions {
  /** Revision to read at; 0 or undefined reads at the transaction's revision. */
  rev?: number;
  /** At most this many kvs; 0 or undefined means no limit. `count` still counts every key. */
  limit?: number;
  /** Return no kvs, only the count. */
  countOnly?: boolean;
}

/** The result of a range read. */
export interface RangeResult {
  /** Matching keys in key byte order. */
  kvs: KeyValue[];
  /** Number of matching keys regardless of `limit`. */
  count: number;
  /** The transaction's revision (not the one read at), as etcd reports it in the response header. */
  rev: number;
}

/** A consistent read view (etcd's TxnRead). */
export interface TxnRead {
  /** The revision the view reads at. */
  rev(): number;
  /** The compacted revision: reads below it fail with Errors.Compacted (-1 when never compacted). */
  firstRev(): number;
  /**
   * Keys in [key, end): `end` undefined reads the single key; an `end` of [0] (or empty) reads every key >=
   * `key`. Throws Errors.FutureRev above the view's revision, Errors.Compacted below the compacted one.
   */
  range(key: Uint8Array, end: Uint8Array | undefined, options?: RangeOptions): RangeResult;
}

/** A write transaction (etcd's TxnWrite). The store keeps references to the keys and values given. */
export interface TxnWrite extends TxnRead {
  /** Puts `key`; returns the revision the change commits at. */
  put(key: Uint8Array, value: Uint8Array, lease?: bigint): number;
  /** Deletes the keys in [key, end) (same `end` rules as range); returns how many and the revision. */
  deleteRange(key: Uint8Array, end: Uint8Array | undefined): { deleted: number; rev: number };
  /** The changes so far; a deletion appears with only its key set. */
  changes(): readonly KeyValue[];
  /** Number of changes so far. */
  changeCount(): number;
}

/** What the transactions need from the store. */
export interface StoreCore {
  readonly index: TreeIndex;
  /** Leases of the live keys. */
  readonly keyLeases: KeyLeases;
  /** Revision of the last committed write transaction. */
  currentRevision(): number;
  /** Revision of the last compaction, -1 when none. */
  compactedRevision(): number;
}

/** A lease attachment change, reported to the lessor after commit. */
export interface LeaseChange {
  attach: boolean;
  leaseId: bigint;
  key: Uint8Array;
}

/** Reads the stored KeyValue of a revision the index points to; a miss means index and backend disagree. */
export function readKeyValue(tx: ReadTx, revision: Revision): KeyValue {
  const bytes = tx.get('key', encodeRevision(revision));
  if (!(bytes !== undefined)) throw new AssertionError(`index points at revision (${revision.main}, ${revision.sub}) missing from the backend`);
  return decodeKeyValue(bytes);
}

/** etcd's rangeKeys: validates the revision, walks the index, then reads the values. */
function rangeKeys(core: StoreCore, tx: ReadTx, key: Uint8Array, end: Uint8Array | undefined, currentRev: number, options: RangeOptions | undefined): RangeResult {
  let rev = options?.rev ?? 0;
  if (rev > currentRev) throw Errors.FutureRev;
  if (rev <= 0) rev = currentRev;
  if (rev < core.compactedRevision()) throw Errors.Compacted;
  const keyString = keyToString(key);
  const endString = rangeEndToString(end);
  if (options?.countOnly) return { kvs: [], count: core.index.countRevisions(keyString, endString, rev), rev: currentRev };
  const limit = options?.limit ?? 0;
  const found = core.index.range(keyString, endString, rev, limit > 0 ? limit : 0);
  const kvs = found.revisions.map((revision) => readKeyValue(tx, revision));
  return { kvs, count: found.count, rev: currentRev };
}

/** A read view fixed at the revision current when it was opened. */
export class StoreTxnRead implements TxnRead {
  private readonly revision: number;

  constructor(
    private readonly core: StoreCore,
    private readonly tx: ReadTx,
  ) {
    this.revision = core.currentRevision();
  }

  rev(): number {
    return this.revision;
  }

  firstRev(): number {
    return this.core.compactedRevision();
  }

  range(key: Uint8Array, end: Uint8Array | undefined, options?: RangeOptions): RangeResult {
    return rangeKeys(this.core, this.tx, key, end, this.revision, options);
  }
}

/** One write transaction inside a backend write transaction. */
export class StoreTxnWrite implements TxnWrite {
  private readonly changeList: KeyValue[] = [];
  /** Index changes, to revert them if the transaction fails. */
  readonly undo: IndexUndoLog = [];
  /** Lease attachment changes, reported after commit. */
  readonly leaseChanges: LeaseChange[] = [];
  /** Key lease changes, to revert them if the transaction fails. */
  readonly leaseUndo: KeyLeasesUndo = [];
  /** Backend keys written, to remove them if the transaction fails. */
  private readonly writtenKeys: Uint8Array[] = [];

  constructor(
    private readonly core: StoreCore,
    private readonly tx: WriteTx,
    /** The revision before this transaction; its changes get beginRev + 1. */
    readonly beginRev: number,
  ) {}

  rev(): number {
    return this.beginRev;
  }

  firstRev(): number {
    return this.core.compactedRevision();
  }

  range(key: Uint8Array, end: Uint8Array | undefined, options?: RangeOptions): RangeResult {
    return rangeKeys(this.core, this.tx, key, end, this.readRevision(), options);
  }

  put(key: Uint8Array, value: Uint8Array, lease = 0n): number {
    const rev = this.beginRev + 1;
    const keyString = keyToString(key);
    // An existing key keeps its creation revision and counts versions on; a new generation starts at 1.
    const existing = this.core.index.get(keyString, rev);
    const createRevision = existing === undefined ? rev : existing.created.main;
    const version = existing === undefined ? 1 : existing.version + 1;
    const previousLease = this.core.keyLeases.get(keyString);
    const kv: KeyValue = { key, createRevision, modRevision: rev, version, value, lease };
    const revision = this.nextRevision();
    this.write(encodeRevision(revision), encodeKeyValue(kv));
    this.core.index.put(keyString, revision, this.undo);
    this.core.keyLeases.set(keyString, lease, this.leaseUndo);
    this.changeList.push(kv);
    if (previousLease !== 0n) this.leaseChanges.push({ attach: false, leaseId: previousLease, key });
    if (lease !== 0n) this.leaseChanges.push({ attach: true, leaseId: lease, key });
    return rev;
  }

  deleteRange(key: Uint8Array, end: Uint8Array | undefined): { deleted: number; rev: number } {
    const found = this.core.index.range(keyToString(key), rangeEndToString(end), this.readRevision());
    for (let position = 0; position < found.keys.length; position++) {
      const keyString = found.keys[position]!;
      this.delete(keyString, end === undefined ? key : keyFromString(keyString));
    }
    const deleted = found.keys.length;
    if (deleted !== 0 || this.changeList.length > 0) return { deleted, rev: this.beginRev + 1 };
    return { deleted: 0, rev: this.beginRev };
  }

  private delete(keyString: KeyString, key: Uint8Array): void {
    const previousLease = this.core.keyLeases.get(keyString);
    const revision = this.nextRevision();
    const tombstone = tombstoneKeyValue(key);
    this.write(encodeRevision(revision, true), encodeKeyValue(tombstone));
    const deleted = this.core.index.tombstone(keyString, revision, this.undo);
    if (!(deleted)) throw new AssertionError(`failed to tombstone an existing key ${JSON.stringify(keyString)}`);
    this.core.keyLeases.set(keyString, 0n, this.leaseUndo);
    this.changeList.push(tombstone);
    if (previousLease !== 0n) this.leaseChanges.push({ attach: false, leaseId: previousLease, key });
  }

  changes(): readonly KeyValue[] {
    return this.changeList;
  }

  changeCount(): number {
    return this.changeList.length;
  }

  /** Reverts the index and removes the backend entries written, when the transaction fails half-way. */
  rollback(): void {
    this.core.index.undo(this.undo);
    this.core.keyLeases.undo(this.leaseUndo);
    for (const key of this.writtenKeys) this.tx.delete('key', key);
    this.writtenKeys.length = 0;
    this.changeList.length = 0;
    this.leaseChanges.length = 0;
  }

  /** Reads inside the transaction see its own changes once it has made some. */
  private readRevision(): number {
    return this.changeList.length > 0 ? this.beginRev + 1 : this.beginRev;
  }

  private nextRevision(): Revision {
    const revision = { main: this.beginRev + 1, sub: this.changeList.length };
    assert(this.core.currentRevision() === this.beginRev, 'another write transaction committed during this one');
    return revision;
  }

  private write(key: Uint8Array, value: Uint8Array): void {
    this.tx.put('key', key, value);
    this.writtenKeys.push(key);
  }
}
