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

/**
 * The WAL's fdatasync runs on the event loop while recent ones took at most this long on average: a thread-pool
 * round trip costs two context switches, more than the work the loop could overlap with a fast disk's flush
 * (measured on 2 cores: single-client put p50 1.04 -> 0.93 ms, 64 clients +4%). A slower disk goes back to the
 * thread pool, so that reads and heartbeats are not held up behind long flushes.
 */
export const walInlineFdatasyncMsMax = 1;

/** Raft snapshot files kept in the snap directory (etcd's --max-snapshots default). */
export const snapshotFilesKeptDefault = 5;

/** Max bytes of a backend key: LMDB's limit for its default page size, as lmdb-js configures it. */
export const backendKeyBytesMax = 1978;

/**
 * Longest a write waits in the backend's buffer before it is committed to lmdb (etcd's --backend-batch-interval
 * default, 100 ms). The WAL already made the write durable; this only bounds the buffer and the replay on restart.
 */
export const backendBatchIntervalMs = 100;

/** Pending keys that start a backend commit at once, without waiting for the interval (etcd: batch limit 10,000). */
export const backendBatchWritesMax = 10_000;

/** Keys of the in-memory index compacted per step, so compacting a million keys never stalls the loop. */
export const compactionIndexBatchKeys = 10_000;

// ---- Peer transport (engine/transport) ----

/** Raft's default cap on the entries of one append message (etcd's MaxSizePerMsg, 1 MiB). */
export const peerAppendBytesDefault = 1024 * 1024;

/**
 * Max bytes of one encoded peer message. An append carries entries up to Raft's per-message cap, or one entry
 * as large as a request may be; the codec spends up to 21 bytes on an entry where Raft counts 16, so twice the
 * larger of the two, plus the gRPC margin for the wrapping of a request, bounds every message Raft can hand out.
 */
export function peerMessageBytesMax(requestBytesMax: number): number {
  return 2 * Math.max(requestBytesMax, peerAppendBytesDefault) + grpcOverheadBytes;
}

/** peerMessageBytesMax for etcd's default --max-request-bytes (3.5 MiB). */
export const peerMessageBytesMaxDefault = peerMessageBytesMax(requestBytesMaxDefault);

/** Messages queued for one peer before new ones are dropped and the peer reported unreachable (etcd: 4096). */
export const peerQueueMessagesMax = 4096;

/**
 * Bytes queued for one peer (in the queue plus the socket's own buffer) before new messages are dropped. Raft's
 * flow control keeps at most 64 MiB of appends in flight per follower, so the transport drops only traffic
 * beyond what Raft itself allows, and a member's memory for a stuck peer is bounded by this.
 */
export const peerQueueBytesMax = 64 * 1024 * 1024;

/** Bytes handed to a peer's socket before the writer waits for it to drain (the rest stays in the queue). */
export const peerSocketBufferBytesMax = 1024 * 1024;

/** Interval of ping frames on a peer stream (etcd heartbeats its streams every ConnReadTimeout / 3). */
export const peerPingIntervalMs = 1000;

/** A peer stream on which nothing arrives from the other side for this long is closed (etcd: ConnReadTimeout, 5 s). */
export const peerLinkTimeoutMs = 5000;

/** Longest a connection attempt (TCP connect and handshake) to a peer may take (etcd's rafthttp DialTimeout, 1 s). */
export const peerDialTimeoutMs = 1000;

/** First delay before a peer is dialled again after a failure; doubled per failure up to the max. */
export const peerReconnectBackoffBaseMs = 50;

/** Longest delay between attempts to reach a peer, so a restarted peer is found again within this. */
export const peerReconnectBackoffMaxMs = 2000;

/** Max bytes of one snapshot payload chunk frame; the sender splits larger chunks, the receiver refuses them. */
export const peerSnapshotChunkBytesMax = 1024 * 1024;

/** Snapshots received at once from all peers; more are refused (503) so disk use and file handles stay bounded. */
export const peerSnapshotReceivesMax = 2;

/** A snapshot transfer with no bytes moving for this long is aborted, on either side. */
export const peerSnapshotIdleTimeoutMs = 30_000;

/** Max bytes of a snapshot payload: twice the recommended backend ceiling, so a sender that never ends is cut off. */
export const peerSnapshotPayloadBytesMax = 2 * quotaBackendBytesMaxRecommended;

/** Max bytes of a /members or /version answer read from a peer, and of a refusal reason kept for the log. */
export const peerResponseBytesMax = 1024 * 1024;

// ---- Cluster membership (engine/server/cluster-ops.ts) ----

/** Learners a cluster may have at once (etcd's maxLearners, 1). */
export const learnersMax = 1;

/** A learner may be promoted once its log has at least this percentage of the leader's (etcd: 90). */
export const learnerReadyPercent = 90;

/** How long a peer's stream must have been up to count as connected for membership changes (etcd: 5 s). */
export const memberHealthIntervalMs = 5_000;

/** How long MoveLeader waits for the transferee to take over (etcd: the request timeout). */
export const leaderTransferTimeoutMs = 5_000;

/** How long a joining member waits for one peer's member list (GET /members). */
export const peerJoinRequestTimeoutMs = 5_000;

/** Deadline of a request a follower forwards to the leader (lease keep-alive, time-to-live, promotion). */
export const leaderForwardTimeoutMs = 5_000;

// ---- Client port HTTP/2 relay (engine/api/http2-request-filter.ts) ----

/**
 * Largest HTTP/2 header block (HEADERS plus CONTINUATION frames, as received) the client port buffers to repair a
 * URL-shaped :authority. Real gRPC request headers are well under 1 KiB; a larger block is passed on unchanged.
 */
export const http2HeaderBlockBytesMax = 64 * 1024;

/** An unanswered ReadIndex round asks again after this long (etcd: readIndexRetryTime, 500 ms). */
export const readIndexRetryMs = 500;

// ---- Auth (engine/auth) ----

/** Live simple tokens a member keeps; beyond this the least recently used go first (each is a few dozen bytes). */
export const authTokensMax = 100_000;

/** Simple token lifetime after its last use when --auth-token-ttl is not given (etcd: 300 s). */
export const authTokenTtlSecondsDefault = 300;

/**
 * How long one DNS lookup of the peer SAN check may take. The check runs while a peer's connection waits to be
 * accepted; Go's resolver gives up after about 5 s per attempt, so a dead DNS server costs etcd the same.
 */
export const peerSanLookupTimeoutMs = 5_000;
