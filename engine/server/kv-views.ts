// What the apply layer needs from the MVCC store, stated as small interfaces so that the etcd request
// semantics (apply-kv.ts) read on their own and are testable against any store.
import type { KeyValue } from '../mvcc/key-value.ts';

/** Options of an MVCC range read. */
export interface KvRangeOptions {
  /** Revision to read at; 0 or undefined = the view's revision. */
  rev?: number;
  /** At most this many kvs; 0 or undefined = no limit. */
  limit?: number;
  /** Count only: return no kvs. */
  countOnly?: boolean;
}

/** The result of an MVCC range read. */
export interface KvRangeResult {
  kvs: KeyValue[];
  /** Keys in the range regardless of `limit`. */
  count: number;
  /** The revision the range was read at. */
  rev: number;
}

/** A consistent read view of the key space. */
export interface KvReadView {
  /**
   * Keys in [key, end): `end` undefined reads the single key; a one-byte `end` of 0x00 reads every key
   * >= key. Throws Errors.Compacted / Errors.FutureRev for unavailable revisions.
   */
  range(key: Uint8Array, end: Uint8Array | undefined, options?: KvRangeOptions): KvRangeResult;
  /** The revision this view reads at. */
  rev(): number;
  /** The compacted revision (etcd's FirstRev): reads below it fail with Errors.Compacted. */
  firstRev(): number;
}

/** A write transaction: every change in it shares one main revision. */
export interface KvWriteView extends KvReadView {
  /** Puts a key; returns the revision the write will commit at. */
  put(key: Uint8Array, value: Uint8Array, lease: bigint): number;
  /** Deletes keys in [key, end) (same `end` rules as range); returns the count and the revision. */
  deleteRange(key: Uint8Array, end: Uint8Array | undefined): { deleted: number; rev: number };
  /** How many changes this transaction has made so far. */
  changeCount(): number;
}
