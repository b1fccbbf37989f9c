// Prometheus metrics under etcd's names, so existing dashboards and alerts (etcd-mixin, kube-prometheus)
// work unchanged against Cairn. Each member process owns one registry, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** etcd's disk latency buckets: 1 ms doubling up to ~8 s. */
const diskBucketsSeconds = Array.from({ length: 14 }, (_, exponent) => 0.001 * 2 ** exponent);

/** All metrics of one member. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly hasLeader = this.gauge('etcd_server_has_leader', 'Whether or not a leader exists. 1 is existence, 0 is not.');
  readonly isLeader = this.gauge('etcd_server_is_leader', 'Whether or not this member is a leader. 1 if is, 0 otherwise.');
  readonly isLearner = this.gauge('etcd_server_is_learner', 'Whether or not this member is a learner. 1 if is, 0 otherwise.');
  readonly leaderChanges = this.counter('etcd_server_leader_changes_seen_total', 'The number of leader changes seen.');
  readonly proposalsCommitted = this.gauge('etcd_server_proposals_committed_total', 'The total number of consensus proposals committed.');
  readonly proposalsApplied = this.gauge('etcd_server_proposals_applied_total', 'The total number of consensus proposals applied.');
  readonly proposalsPending = this.gauge('etcd_server_proposals_pending', 'The current number of pending proposals to commit.');
  readonly proposalsFailed = this.counter('etcd_server_proposals_failed_total', 'The total number of failed proposals seen.');
  readonly slowApplies = this.counter('etcd_server_slow_apply_total', 'The total number of slow apply requests (likely overloaded from slow disk).');
  readonly quotaBackendBytes = this.gauge('etcd_server_quota_backend_bytes', 'Current backend storage quota size in bytes.');
  readonly serverId = new Gauge({ name: 'etcd_server_id', help: 'Server or member ID in hexadecimal format. 1 for \'server_id\' label with current ID.', labelNames: ['server_id'], registers: [this.registry] });
  readonly serverVersion = new Gauge({ name: 'etcd_server_version', help: 'Which version is running. 1 for \'server_version\' label with current version.', labelNames: ['server_version'], registers: [this.registry] });
  readonly clusterVersion = new Gauge({ name: 'etcd_cluster_version', help: 'Which version is running. 1 for \'cluster_version\' label with current cluster version', labelNames: ['cluster_version'], registers: [this.registry] });
  readonly dbTotalSizeBytes = this.gauge('etcd_mvcc_db_total_size_in_bytes', 'Total size of the underlying database physically allocated in bytes.');
  readonly dbInUseSizeBytes = this.gauge('etcd_mvcc_db_total_size_in_use_in_bytes', 'Total size of the underlying database logically in use in bytes.');
  readonly currentRevision = this.gauge('etcd_debugging_mvcc_current_revision', 'The current revision of store.');
  readonly compactRevision = this.gauge('etcd_debugging_mvcc_compact_revision', 'The revision of the last compaction in store.');
  readonly keysTotal = this.gauge('etcd_debugging_mvcc_keys_total', 'Total number of keys.');
  readonly watchers = this.gauge('etcd_debugging_mvcc_watcher_total', 'Total number of watchers.');
  readonly putTotal = this.counter('etcd_mvcc_put_total', 'Total number of puts seen by this member.');
  readonly deleteTotal = this.counter('etcd_mvcc_delete_total', 'Total number of deletes seen by this member.');
  readonly rangeTotal = this.counter('etcd_mvcc_range_total', 'Total number of ranges seen by this member.');
  readonly txnTotal = this.counter('etcd_mvcc_txn_total', 'Total number of txns seen by this member.');
  readonly leasesGranted = this.counter('etcd_debugging_lease_granted_total', 'The total number of granted leases.');
  readonly leasesRevoked = this.counter('etcd_debugging_lease_revoked_total', 'The total number of revoked leases.');
  readonly walFsyncSeconds = this.histogram('etcd_disk_wal_fsync_duration_seconds', 'The latency distributions of fsync called by WAL.');
  readonly backendCommitSeconds = this.histogram('etcd_disk_backend_commit_duration_seconds', 'The latency distributions of commit called by backend.');
  readonly snapshotSaveSeconds = this.histogram('etcd_debugging_snap_save_total_duration_seconds', 'The total latency distributions of save called by snapshot.');
  readonly grpcStarted = new Counter({ name: 'grpc_server_started_total', help: 'Total number of RPCs started on the server.', labelNames: ['grpc_type', 'grpc_service', 'grpc_method'], registers: [this.registry] });
  readonly grpcHandled = new Counter({ name: 'grpc_server_handled_total', help: 'Total number of RPCs completed on the server, regardless of success or failure.', labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'], registers: [this.registry] });
  readonly clientReceivedBytes = this.counter('etcd_network_client_grpc_received_bytes_total', 'The total number of bytes received from grpc clients.');
  readonly clientSentBytes = this.counter('etcd_network_client_grpc_sent_bytes_total', 'The total number of bytes sent to grpc clients.');
  readonly peerRoundTripSeconds = new Histogram({ name: 'etcd_network_peer_round_trip_time_seconds', help: 'Round-Trip-Time histogram between peers', labelNames: ['To'], buckets: Array.from({ length: 16 }, (_, exponent) => 0.0001 * 2 ** exponent), registers: [this.registry] });
  readonly peerSentBytes = new Counter({ name: 'etcd_network_peer_sent_bytes_total', help: 'The total number of bytes sent to peers.', labelNames: ['To'], registers: [this.registry] });
  readonly peerReceivedBytes = new Counter({ name: 'etcd_network_peer_received_bytes_total', help: 'The total number of bytes received from peers.', labelNames: ['From'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private readonly collectors: Array<() => void> = [];

  /** Registers a function that refreshes sampled gauges (sizes, revisions) right before each scrape. */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** The exposition text for /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    for (const collect of this.collectors) collect();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  private histogram(name: string, help: string): Histogram {
    return new Histogram({ name, help, buckets: diskBucketsSeconds, registers: [this.registry] });
  }
}
