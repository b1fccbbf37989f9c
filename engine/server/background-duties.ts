// The member's timed work, apart from serving requests: the leader revokes expired leases and checkpoints
// remaining TTLs (so a new leader resumes the countdown), the backend is synced and the log released behind it,
// the size metrics are refreshed at each scrape, and revisions are compacted automatically when configured.
// The backend sync runs every second, and also as soon as a snapshot falls due (as etcd forces a backend commit
// when it snapshots): a follower that comes back right after a burst of writes then gets the snapshot at once
// instead of replaying the whole burst from the log.
// Each duty is a no-op while the member stops, so a timer that fires late cannot touch closed storage.
import type { Logger } from '../common/logger.ts';
import type { CompactionRequest__Output } from '../proto/generated/etcdserverpb/CompactionRequest.ts';
import { rootUser } from '../auth/auth-store.ts';
import type { AppliedIndexWait } from './applied-index-wait.ts';
import { AutoCompactor } from './auto-compactor.ts';
import type { MemberState } from './member-state.ts';
import type { Proposals } from './proposals.ts';
import type { ServerParts } from './server-parts.ts';

/** What the duties need from the member. */
export interface BackgroundDutiesParts extends Pick<ServerParts, 'config' | 'logger' | 'metrics' | 'applier' | 'auth' | 'backend' | 'storage' | 'clock'> {
  state: MemberState;
  applied: AppliedIndexWait;
  proposals: Pick<Proposals, 'propose' | 'proposeForResult'>;
  /** Compacts as the Maintenance API does (the auto compactor's compaction). */
  compact(request: CompactionRequest__Output): Promise<unknown>;
}

/** Runs the member's periodic duties. */
export class BackgroundDuties {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly compactor: AutoCompactor;
  private readonly logger: Logger;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly parts: BackgroundDutiesParts) {
    this.logger = parts.logger;
    this.compactor = new AutoCompactor(
      {
        isLeader: () => parts.state.leaderId === parts.state.memberId,
        currentRevision: () => parts.applier.currentRevision(),
        compactedRevision: () => parts.applier.compactedRevision(),
        compact: async (revision) => {
          await parts.compact({ revision: String(revision), physical: false });
          this.logger.info('completed auto revision compaction', { revision, retention: parts.config.autoCompactionRetention });
        },
      },
      parts.config.autoCompactionMode,
      parts.config.autoCompactionRetention,
      parts.clock,
      (error) => this.logger.warn('failed auto compaction', { error: error.message }),
    );
    parts.metrics.onCollect(() => this.updateSizeMetrics());
  }

  /** Starts the timers: auto compaction, lease expiry and checkpoints, backend sync. */
  start(): void {
    this.compactor.start();
    this.every(500, () => this.expireLeases());
    this.every(500, () => this.checkpointLeases());
    this.every(1000, () => void this.syncBackend());
    this.armSnapshotTrigger();
  }

  /** Stops the timers (a run in progress finishes). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.compactor.stop();
  }

  private every(intervalMs: number, duty: () => void): void {
    this.timers.push(setInterval(duty, intervalMs));
  }

  private isLeader(): boolean {
    return this.parts.state.leaderId === this.parts.state.memberId;
  }

  private expireLeases(): void {
    if (!this.isLeader() || this.parts.state.stopping) return;
    // The member revokes expired leases as root, as etcd does, so that auth never keeps an expired lease alive.
    const asRoot = { username: rootUser, revision: this.parts.auth.revision() };
    for (const id of this.parts.applier.expiredLeases()) {
      this.parts.proposals.proposeForResult({ lease_revoke: { ID: id.toString() } }, false, asRoot).catch((error: Error) =>
        this.logger.warn('failed to revoke an expired lease', { 'lease-id': id, error: error.message }),
      );
    }
  }

  private checkpointLeases(): void {
    if (!this.isLeader() || this.parts.state.stopping) return;
    const checkpoints = this.parts.applier.leaseCheckpoints();
    if (checkpoints.length === 0) return;
    this.parts.proposals.propose({ lease_checkpoint: { checkpoints: checkpoints.map(({ id, remainingTtl }) => ({ ID: id.toString(), remaining_TTL: remainingTtl })) } }).catch(() => undefined);
  }

  /** On a graceful stop the leader records every lease's remaining TTL, so a restart resumes the countdown. */
  async checkpointAllLeases(): Promise<void> {
    if (!this.isLeader()) return;
    const applier = this.parts.applier;
    const checkpoints = applier.leaseIds().map((id) => ({ ID: id.toString(), remaining_TTL: Number(applier.leaseTimeToLive(id, false).TTL) }));
    if (checkpoints.length === 0) return;
    await this.parts.proposals.propose({ lease_checkpoint: { checkpoints } }).catch((error: Error) =>
      this.logger.warn('failed to checkpoint leases before stopping', { error: error.message }),
    );
  }

  /** Syncs the backend when the applied index reaches the next snapshot, then waits for the one after. */
  private armSnapshotTrigger(): void {
    const due = Math.max(this.parts.storage.snapshotDueIndex(), this.parts.applied.appliedIndex + 1);
    void this.parts.applied.wait(due).then(async () => {
      if (this.stopped) return;
      await this.syncBackend().catch((error: Error) => this.logger.warn('failed to sync the backend for a snapshot', { error: error.message }));
      if (!this.stopped) this.armSnapshotTrigger();
    });
  }

  /** One backend sync at a time: the timer and the snapshot trigger share a sync in progress. */
  private syncBackend(): Promise<void> {
    this.syncing ??= this.runBackendSync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async runBackendSync(): Promise<void> {
    if (this.parts.state.stopping) return;
    const syncedIndex = this.parts.applied.appliedIndex;
    const started = performance.now();
    await this.parts.backend.sync();
    this.parts.metrics.backendCommitSeconds.observe((performance.now() - started) / 1000);
    await this.parts.storage.onBackendSynced(syncedIndex);
  }

  /** Refreshes the size and revision gauges (at each scrape, and after a defragment). */
  updateSizeMetrics(): void {
    if (this.parts.state.stopping) return;
    const size = this.parts.backend.size();
    const metrics = this.parts.metrics;
    metrics.dbTotalSizeBytes.set(size.totalBytes);
    metrics.dbInUseSizeBytes.set(size.inUseBytes);
    metrics.currentRevision.set(this.parts.applier.currentRevision());
    metrics.compactRevision.set(this.parts.applier.compactedRevision());
  }
}
