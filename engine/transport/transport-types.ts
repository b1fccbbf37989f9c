// The transport's contract with the member that hosts it: what the host provides (TransportHost), how a
// transport is configured (TransportOptions, TransportTuning) and what it reports (PeerStats).
import {
  peerDialTimeoutMs,
  peerLinkTimeoutMs,
  peerMessageBytesMaxDefault,
  peerPingIntervalMs,
  peerQueueBytesMax,
  peerQueueMessagesMax,
  peerReconnectBackoffBaseMs,
  peerReconnectBackoffMaxMs,
  peerSnapshotChunkBytesMax,
  peerSnapshotIdleTimeoutMs,
  peerSnapshotPayloadBytesMax,
  peerSnapshotReceivesMax,
  peerSocketBufferBytesMax,
} from '../common/limits.ts';
import type { Logger } from '../common/logger.ts';
import type { Message, NodeId } from '../raft/types.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { PeerTlsOptions } from './peer-tls.ts';

/** What the member provides to its transport. Callbacks must not throw; the transport logs it if they do. */
export interface TransportHost {
  /** One inbound message for Raft's step(); called synchronously, in arrival order for each sender. */
  process(message: Message): void;
  /**
   * An inbound MsgSnap whose payload (the leader's backend) is complete, checksummed and fsynced in
   * `payloadFile`. The host owns the file from now on (moves it into place or deletes it). The sender learns
   * the snapshot failed if this throws or rejects, and the transport then deletes the file.
   */
  processSnapshot(message: Message, payloadFile: string): void | Promise<void>;
  /**
   * The payload that travels with an outbound MsgSnap (the backend copy), read in chunks as the transfer
   * proceeds. Called only when the transfer starts; a throw or a failing iteration fails the snapshot.
   */
  snapshotPayload(message: Message): AsyncIterable<Uint8Array>;
  /** Raft's reportUnreachable: a message to `peerId` was dropped or its link went down. */
  unreachable(peerId: NodeId): void;
  /** Raft's reportSnapshot: the MsgSnap to `peerId` was delivered and handed over (`ok`), or it failed. */
  snapshotStatus(peerId: NodeId, ok: boolean): void;
  /** Whether `id` was removed from the cluster; removed members' streams and snapshots are refused. */
  isRemoved(id: NodeId): boolean;
  /** The member list served on GET /members; must be JSON-serialisable (bigints are written as hex IDs). */
  members(): unknown;
  /** A peer refused this member as removed from the cluster (again at each redial); etcd stops such a member. Optional. */
  removedFromCluster?(reportedBy: NodeId): void;
  /** One round-trip time sample of the stream to `peerId`, for a histogram. Optional. */
  observeRoundTrip?(peerId: NodeId, seconds: number): void;
}

/** The bounds and timings of a transport; the defaults come from engine/common/limits.ts. */
export interface TransportTuning {
  /** Largest encoded message accepted or sent (peerMessageBytesMax of the member's --max-request-bytes). */
  messageBytesMax: number;
  /** Messages queued per peer before new ones are dropped. */
  queueMessagesMax: number;
  /** Bytes queued per peer (queue plus socket buffer) before new messages are dropped. */
  queueBytesMax: number;
  /** Bytes handed to a socket before the writer waits for 'drain'. */
  socketBufferBytesMax: number;
  pingIntervalMs: number;
  /** A stream that hears nothing from the other side for this long is closed. */
  linkTimeoutMs: number;
  dialTimeoutMs: number;
  backoff: BackoffPolicy;
  snapshotChunkBytesMax: number;
  snapshotReceivesMax: number;
  snapshotIdleTimeoutMs: number;
  snapshotPayloadBytesMax: number;
}

/** The default tuning, from limits.ts. */
export const defaultTuning: Readonly<TransportTuning> = Object.freeze({
  messageBytesMax: peerMessageBytesMaxDefault,
  queueMessagesMax: peerQueueMessagesMax,
  queueBytesMax: peerQueueBytesMax,
  socketBufferBytesMax: peerSocketBufferBytesMax,
  pingIntervalMs: peerPingIntervalMs,
  linkTimeoutMs: peerLinkTimeoutMs,
  dialTimeoutMs: peerDialTimeoutMs,
  backoff: Object.freeze({ baseMs: peerReconnectBackoffBaseMs, maxMs: peerReconnectBackoffMaxMs }),
  snapshotChunkBytesMax: peerSnapshotChunkBytesMax,
  snapshotReceivesMax: peerSnapshotReceivesMax,
  snapshotIdleTimeoutMs: peerSnapshotIdleTimeoutMs,
  snapshotPayloadBytesMax: peerSnapshotPayloadBytesMax,
});

/** How a transport is built. */
export interface TransportOptions {
  memberId: NodeId;
  clusterId: bigint;
  /** --listen-peer-urls: http://host:port (https://host:port once `tls` is given). Port 0 picks a free port. */
  listenUrls: string[];
  /** TLS for https peer URLs: material (etcd's --peer-cert-file, --peer-key-file, ...) and who may connect. */
  tls?: PeerTlsOptions;
  /** Where inbound snapshot payloads are written (the member's snap directory); created if missing. */
  snapshotDirectory: string;
  host: TransportHost;
  logger: Logger;
  /** Overrides of the default tuning (tests use short timings and small queues). */
  tuning?: Partial<TransportTuning>;
  /** Monotonic milliseconds, for round trips and timeouts (default: performance.now). */
  clock?: () => number;
  /** Wall-clock milliseconds since the epoch, for active-since (default: Date.now). */
  wallClock?: () => number;
  /** Uniform in [0, 1), for back-off jitter (default: Math.random). */
  random?: () => number;
}

/** What the transport knows about one peer, for /metrics and status. */
export interface PeerStats {
  id: NodeId;
  urls: string[];
  /** Whether the stream to the peer is established. */
  active: boolean;
  /** Wall-clock milliseconds since the stream to the peer has been up (etcd's "active since"); undefined when down. */
  activeSinceMs: number | undefined;
  /** The last measured round trip of the stream in seconds (etcd_network_peer_round_trip_time_seconds). */
  roundTripSeconds: number | undefined;
  /** Bytes written to the peer: stream frames and snapshot uploads (etcd_network_peer_sent_bytes_total). */
  sentBytes: number;
  /** Bytes read from the peer: stream frames and snapshot uploads (etcd_network_peer_received_bytes_total). */
  receivedBytes: number;
  /** Messages to the peer dropped because its queue was full or its link was down (etcd_network_peer_sent_failures_total). */
  droppedMessages: number;
  /** Messages waiting to be written. */
  queuedMessages: number;
  /** Bytes waiting: in the queue and in the socket's buffer. */
  queuedBytes: number;
}
