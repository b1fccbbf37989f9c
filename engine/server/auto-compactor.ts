// Automatic compaction (--auto-compaction-mode / --auto-compaction-retention), as etcd's compactor package:
// - periodic: keep `retention` worth of history; the compactor samples the revision every tenth of the window
//   (at most once an hour) and compacts to the revision it saw one window ago;
// - revision: keep the last `retention` revisions; every five minutes it compacts to current - retention.
// Only the leader compacts; the compaction goes through the log like a client's.

/** What the compactor needs from the member. */
export interface CompactorHost {
  isLeader(): boolean;
  currentRevision(): number;
  compactedRevision(): number;
  compact(revision: number): Promise<void>;
}

/** etcd checks revision-mode retention every five minutes. */
const revisionModeIntervalMs = 5 * 60 * 1000;
const hourMs = 60 * 60 * 1000;

/** Runs automatic compaction on a timer. */
export class AutoCompactor {
  private readonly samples: Array<{ atMs: number; revision: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: CompactorHost,
    private readonly mode: 'periodic' | 'revision',
    /** Periodic: milliseconds; revision: a number of revisions. */
    private readonly retention: number,
    private readonly clock: () => number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** The sampling interval for the configured mode. */
  intervalMs(): number {
    if (this.mode === 'revision') return revisionModeIntervalMs;
    return Math.min(hourMs, Math.max(1000, Math.floor(this.retention / 10)));
  }

  /** Starts the timer; a retention of 0 disables automatic compaction. */
  start(): void {
    if (this.retention <= 0) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs());
  }

  /** Stops the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: sample, pick the target revision, compact when it moved. Exposed for tests. */
  async runOnce(): Promise<number | undefined> {
    const now = this.clock();
    const current = this.host.currentRevision();
    this.samples.push({ atMs: now, revision: current });
    let target: number | undefined;
    if (this.mode === 'revision') {
      target = current - this.retention;
      this.samples.length = 0;
    } else {
      // The newest sample at least one retention window old.
      while (this.samples.length > 1 && now - this.samples[1]!.atMs >= this.retention) this.samples.shift();
      const oldest = this.samples[0]!;
      if (now - oldest.atMs >= this.retention) target = oldest.revision;
    }
    if (target === undefined || target <= 0 || target <= this.host.compactedRevision() || !this.host.isLeader()) return undefined;
    try {
      await this.host.compact(target);
      return target;
    } catch (error) {
      this.onError(error as Error);
      return undefined;
    }
  }
}
