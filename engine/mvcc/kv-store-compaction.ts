// Compaction after the compacted revision is recorded (etcd's kvstore_compaction.go), in two passes of small
// steps so that neither blocks the event loop for long:
//
// 1. the in-memory index: `indexBatchKeys` keys per step drop their superseded revisions, collecting the
//    revisions to keep (etcd compacts the whole index at once: over a second with a million keys here);
// 2. the backend: the 'key' bucket loses every revision at or below the compaction revision that is not
//    kept, `batchKeys` backend keys per step, each step its own backend write, with a pause between steps.
//    The last step records the finished compaction in 'meta' in the same transaction.
//
// Reads below the compaction revision are refused from the moment it is recorded, and reads at or after it
// see the same versions whatever the progress, so the passes can run while writes go on. Compactions run
// one after another, in the order requested (etcd's FIFO scheduler).
import { assert } from '../common/assert.ts';
import type { Backend } from '../storage/backend/backend.ts';
import type { KeyString } from './key-range.ts';
import { writeCompactRevision } from './meta.ts';
import { decodeRevision, encodeRevision, revisionBytesLength, RevisionSet } from './revision.ts';
import type { ScheduledTask, Scheduler } from './scheduler.ts';
import type { TreeIndex } from './tree-index.ts';

interface CompactionJob {
  revision: number;
  /** Revisions at or below `revision` to keep, filled by the index pass. */
  keep: RevisionSet;
  /** The index key to continue the index pass from; undefined once it is done. */
  nextIndexKey: KeyString | undefined;
  /** The backend key to continue the backend pass from. */
  nextBackendKey: Uint8Array;
  settle: (finished: boolean) => void;
}

/** What the compactor works on, and its step sizes. */
export interface CompactorOptions {
  backend: Backend;
  index: TreeIndex;
  scheduler: Scheduler;
  /** Index keys compacted per step. */
  indexBatchKeys: number;
  /** Backend keys examined per step (etcd: 1,000). */
  batchKeys: number;
  /** Pause between backend steps (etcd: 10 ms). */
  batchPauseMs: number;
}

/** Runs compactions in the background, one at a time. */
export class Compactor {
  private readonly queue: CompactionJob[] = [];
  private timer: ScheduledTask | undefined;
  private stopped = false;

  constructor(private readonly options: CompactorOptions) {
    assert(options.batchKeys > 0 && options.indexBatchKeys > 0, 'compaction steps need at least one key');
  }

  /** True while a compaction is queued or running. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /**
   * Queues compaction at `revision`. The promise settles with true once the superseded revisions are gone
   * from index and backend (and the finished revision is recorded), or false when the compactor stopped
   * first.
   */
  enqueue(revision: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((settle) => {
      this.queue.push({ revision, keep: new RevisionSet(), nextIndexKey: '', nextBackendKey: new Uint8Array(revisionBytesLength), settle });
      if (this.timer === undefined && this.queue.length === 1) this.schedule(0);
    });
  }

  /** Drops every queued compaction (they settle with false); the compactor keeps accepting new ones. */
  cancelQueued(): void {
    this.timer?.cancel();
    this.timer = undefined;
    for (const job of this.queue.splice(0)) job.settle(false);
  }

  /** Stops after the current step; queued compactions settle with false (they resume on the next open). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    for (const job of this.queue.splice(0)) job.settle(false);
  }

  private schedule(delayMs: number): void {
    this.timer = this.options.scheduler.schedule(() => this.step(), delayMs);
  }

  private step(): void {
    this.timer = undefined;
    const job = this.queue[0];
    if (this.stopped || job === undefined) return;
    if (job.nextIndexKey !== undefined) {
      job.nextIndexKey = this.options.index.compactBatch(job.revision, job.nextIndexKey, this.options.indexBatchKeys, job.keep);
      this.schedule(0);
      return;
    }
    if (!this.deleteBatch(job)) {
      this.schedule(this.options.batchPauseMs);
      return;
    }
    this.queue.shift();
    job.settle(true);
    if (this.queue.length > 0) this.schedule(0);
  }

  /** One backend step in one backend transaction; true when the compaction is complete. */
  private deleteBatch(job: CompactionJob): boolean {
    const { batchKeys } = this.options;
    const end = encodeRevision({ main: job.revision + 1, sub: 0 });
    return this.options.backend.write((tx) => {
      // Copy the keys first: deleting while iterating a range is not something every backend allows.
      const keys: Uint8Array[] = [];
      for (const entry of tx.range('key', job.nextBackendKey, end, batchKeys)) keys.push(entry.key.slice());
      for (const key of keys) {
        const revision = decodeRevision(key);
        if (!job.keep.has(revision.main, revision.sub)) tx.delete('key', key);
      }
      if (keys.length < batchKeys) {
        writeCompactRevision(tx, 'finished', job.revision);
        return true;
      }
      const last = decodeRevision(keys[keys.length - 1]!);
      job.nextBackendKey = encodeRevision({ main: last.main, sub: last.sub + 1 });
      return false;
    });
  }
}
