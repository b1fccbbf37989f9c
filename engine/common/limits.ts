// Every bound in the engine lives here, so that each queue, batch and message has a known ceiling.
// Defaults follow etcd's where etcd has one; units are last in names.

/** etcd's default --max-request-bytes (1.5 MiB). */
export const requestBytesMaxDefault = 1.5 * 1024 * 1024;

/** etcd's gRPC receive limit: the request limit plus a margin for framing (etcd adds 512 KiB). */
export const grpcOverheadBytes = 512 * 1024;

/** etcd's default --max-txn-ops. */
export const txnOpsMaxDefault = 128;

/** etcd's default --quota-backend-bytes (2 GiB); 0 means "use the default". */
export const quotaBackendBytesDefault = 2 * 1024 * 1024 * 1024;

/** etcd's hard ceiling for --quota-backend-bytes (8 GiB); larger values are warned about, as in etcd. */
export const quotaBackendBytesMaxRecommended = 8 * 1024 * 1024 * 1024;

/** A lease TTL above this is refused with "too large lease TTL" (etcd: 9,000,000,000 seconds). */
export const leaseTtlSecondsMax = 9_000_000_000;

/**
 * The minimum TTL a lease gets, in seconds: 1.5 election timeouts rounded up (etcd: (3 * electionTicks / 2)
 * heartbeats), so a lease cannot expire merely because a leader election is in progress.
 */
export function leaseTtlSecondsMin(heartbeatMs: number, electionMs: number): number {
  const electionTicks = Math.max(1, Math.round(electionMs / heartbeatMs));
  return Math.ceil((Math.floor((3 * electionTicks) / 2) * heartbeatMs) / 1000);
}

/** Watch events buffered per watcher before the watcher becomes a "victim" and is retried later. */
export const watchEventBufferMax = 1024;

/** Events sent in one WatchResponse before the watcher waits for the next send (etcd: 1,000 per batch). */
export const watchBatchEventsMax = 1000;

/** Maximum bytes of events in one WatchResponse fragment when fragmenting is requested. */
export const watchFragmentBytesMax = requestBytesMaxDefault;

/** Keys an unsynced watcher replays from history per pass, so a far-behind watcher cannot stall writers. */
export const watchUnsyncedBatchRevisionsMax = 100;

/** Max bytes of one WAL record (an entry larger than this is refused at the API edge already). */
export const walRecordBytesMax = 64 * 1024 * 1024;

/** The size at which a WAL segment file is closed and a new one started (etcd: 64 MB). */
export const walSegmentBytes = 64 * 1024 * 1024;

/** Max entries appended to the WAL in one group commit. */
export const walGroupEntriesMax = 4096;

/** Snapshot chunk size streamed to clients (etcd: 32 KiB). */
export const snapshotChunkBytes = 32 * 1024;

/** Requests proposed but not yet applied; beyond this new proposals get "too many requests". */
export const proposalsPendingMax = 5000;

/** Keys deleted per batch during compaction, so compaction yields to writers between batches. */
export const compactionBatchKeys = 1000;

/** Pause between compaction batches, in milliseconds (etcd: 10 ms). */
export const compactionBatchPauseMs = 10;

/** Max leases revoked per expiry pass, so expiry never floods the log (etcd: 500/s). */
export const leaseRevokesPerSecondMax = 500;

/** How often expiring leases are checked, in milliseconds. */
export const leaseExpiryCheckIntervalMs = 500;

/** Concurrent gRPC streams per connection; etcd's default is "unlimited" (math.MaxUint32). */
export const concurrentStreamsMaxDefault = 4294967295;

// ---- MVCC (engine/mvcc) ----

/** Entries per node of the key index's B+tree: big enough for shallow trees, small enough for cheap splices. */
export const treeIndexNodeEntriesMax = 64;

/** Backend entries read per chunk when the key index is rebuilt on open (etcd: restoreChunkKeys, 10,000). */
export const mvccRestoreChunkKeys = 10_000;

/** Unsynced watchers caught up in one pass of the watch sync loop (etcd: maxWatchersPerSync, 512). */
export const watchSyncWatchersMax = 512;

/** Pause between passes of the watch sync loop while watchers are still behind, so writers get turns. */
export const watchSyncPassPauseMs = 0;

/**
 * How often the leader checkpoints a lease's remaining TTL through the log, in milliseconds. etcd's default is
 * 5 minutes (it trades accuracy for log traffic at datacenter scale); Cairn promises that leases survive a
 * restart or leader change with their remaining TTL, and a desktop cluster holds few leases, so it checkpoints
 * far more often: a restart costs a lease at most this much of its remaining time in accuracy.
 */
export const leaseCheckpointIntervalMs = 5_000;

/** Lease checkpoints carried by one log entry (etcd: 1,000). */
export const leaseCheckpointBatchMax = 1000;

/** How long an expired lease waits before it is reported again if its revocation did not happen (etcd: 3 s). */
export const leaseExpiredRetryIntervalMs = 3_000;

/** Max save() calls written in one WAL group commit: one writev buffer each, and Linux's IOV_MAX is 1024. */
export const walGroupSavesMax = 1024;

/** Raft snapshot files kept in the snap directory (etcd's --max-snapshots default). */
export const snapshotFilesKeptDefault = 5;

/** Max bytes of a backend key: LMDB's limit for its default page size, as lmdb-js configures it. */
export const backendKeyBytesMax = 1978;

/** Keys of the in-memory index compacted per step, so compacting a million keys never stalls the loop. */
export const compactionIndexBatchKeys = 10_000;
