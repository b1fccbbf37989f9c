// Physical compaction (etcd's kvstore_compaction.go): deletes from the 'key' bucket every revision at or
// below the compaction revision that the index did not keep, in batches of `batchKeys` backend keys, each
// batch its own backend write, with a pause between batches so that writes are never blocked for long. The
// last batch records the finished compaction in 'meta' in the same transaction. Compactions run one after
// another, in the order they were requested (etcd's FIFO scheduler).
import { assert } from '../common/assert.ts';
import type { Backend } from '../storage/backend/backend.ts';
import { writeCompactRevision } from './meta.ts';
import { decodeRevision, encodeRevision, revisionBytesLength, type RevisionSet } from './revision.ts';
import type { ScheduledTask, Scheduler } from './scheduler.ts';

interface CompactionJob {
  revision: number;
  keep: RevisionSet;
  /** The backend key to continue from. */
  next: Uint8Array;
  settle: (finished: boolean) => void;
}

/** Tuning of the physical compaction. */
export interface CompactorOptions {
  backend: Backend;
  scheduler: Scheduler;
  /** Backend keys examined per batch (etcd: 1,000). */
  batchKeys: number;
  /** Pause between batches (etcd: 10 ms). */
  batchPauseMs: number;
}

/** Runs physical compactions in the background, one at a time. */
export class Compactor {
  private readonly queue: CompactionJob[] = [];
  private timer: ScheduledTask | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly options: CompactorOptions) {
    assert(options.batchKeys > 0, 'compaction batches need at least one key');
  }

  /** True while a compaction is queued or running. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /**
   * Queues the removal of revisions <= `revision` not in `keep`. The promise settles with true when they are
   * gone (and the finished revision is recorded), or false when the compactor stopped first.
   */
  enqueue(revision: number, keep: RevisionSet): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((settle) => {
      this.queue.push({ revision, keep, next: new Uint8Array(revisionBytesLength), settle });
      if (!this.running) this.schedule(0);
    });
  }

  /** Stops after the current batch; queued compactions settle with false (they resume on the next open). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    for (const job of this.queue.splice(0)) job.settle(false);
  }

  private schedule(delayMs: number): void {
    this.running = true;
    this.timer = this.options.scheduler.schedule(() => this.runBatch(), delayMs);
  }

  private runBatch(): void {
    this.timer = undefined;
    const job = this.queue[0];
    if (this.stopped || job === undefined) {
      this.running = false;
      return;
    }
    const finished = this.deleteBatch(job);
    if (finished) {
      this.queue.shift();
      job.settle(true);
      if (this.queue.length === 0) {
        this.running = false;
        return;
      }
      this.schedule(0);
      return;
    }
    this.schedule(this.options.batchPauseMs);
  }

  /** One batch in one backend transaction; true when the compaction is complete. */
  private deleteBatch(job: CompactionJob): boolean {
    const { batchKeys } = this.options;
    const end = encodeRevision({ main: job.revision + 1, sub: 0 });
    return this.options.backend.write((tx) => {
      // Copy the keys first: deleting while iterating a range is not something every backend allows.
      const keys: Uint8Array[] = [];
      for (const entry of tx.range('key', job.next, end, batchKeys)) keys.push(entry.key.slice());
      for (const key of keys) {
        const revision = decodeRevision(key);
        if (!job.keep.has(revision.main, revision.sub)) tx.delete('key', key);
      }
      if (keys.length < batchKeys) {
        writeCompactRevision(tx, 'finished', job.revision);
        return true;
      }
      const last = decodeRevision(keys[keys.length - 1]!);
      job.next = encodeRevision({ main: last.main, sub: last.sub + 1 });
      return false;
    });
  }
}
