// Every flag etcd 3.5 accepts, with etcd's names, defaults and help texts, in the order etcd's --help lists them.
// Scripts written for etcd must start Cairn unchanged, so unknown-to-Cairn features are accepted here with a
// reason (reported as a warning when used) instead of being refused.
import { concurrentStreamsMaxDefault, requestBytesMaxDefault, txnOpsMaxDefault } from '../common/limits.ts';
import { logLevels } from '../common/logger.ts';
import type { FlagKind, FlagSection, FlagSpec } from './flag-spec.ts';

function flag(name: string, kind: FlagKind, defaultValue: string, section: FlagSection, help: string, extra: Partial<FlagSpec> = {}): FlagSpec {
  return { name, kind, defaultValue, section, help, ...extra };
}

const lmdbBackend = 'Cairn keeps its backend in lmdb, not in bbolt';
const v2Api = 'Cairn serves the v3 API only; it has no v2 API and no v2 store';
const v2Proxy = 'Cairn has no v2 proxy';
const discovery = 'Cairn bootstraps from --initial-cluster only; discovery services are not supported';
const peerTransport = "Cairn's peer transport uses its own timeouts";
const notTuned = 'Cairn does not have this tuning knob';
const tracing = 'Cairn does not export distributed traces';

const member: FlagSpec[] = [
  flag('name', 'string', 'default', 'Member', 'Human-readable name for this member.'),
  flag('data-dir', 'string', '', 'Member', 'Path to the data directory.', { helpDefault: '${name}.etcd' }),
  flag('wal-dir', 'string', '', 'Member', 'Path to the dedicated wal directory.'),
  flag('snapshot-count', 'uint', '100000', 'Member', 'Number of committed transactions to trigger a snapshot to disk.'),
  flag('heartbeat-interval', 'uint', '100', 'Member', 'Time (in milliseconds) of a heartbeat interval.'),
  flag('election-timeout', 'uint', '1000', 'Member', 'Time (in milliseconds) for an election to timeout. See tuning documentation for details.'),
  flag('initial-election-tick-advance', 'bool', 'true', 'Member', 'Whether to fast-forward initial election ticks on boot for faster election.'),
  flag('listen-peer-urls', 'listen-urls', 'http://localhost:2380', 'Member', 'List of URLs to listen on for peer traffic.'),
  flag('listen-client-urls', 'listen-urls', 'http://localhost:2379', 'Member', 'List of URLs to listen on for client grpc traffic and http as long as --listen-client-http-urls is not specified.'),
  flag('listen-client-http-urls', 'listen-urls', '', 'Member', 'List of URLs to listen on for http only client traffic. Enabling this flag removes http services from --listen-client-urls.'),
  flag('max-snapshots', 'uint', '5', 'Member', 'Maximum number of snapshot files to retain (0 is unlimited).'),
  flag('max-wals', 'uint', '5', 'Member', 'Maximum number of wal files to retain (0 is unlimited).'),
  flag('quota-backend-bytes', 'int', '0', 'Member', 'Raise alarms when backend size exceeds the given quota (0 defaults to low space quota).'),
  flag('backend-bbolt-freelist-type', 'choice', 'map', 'Member', 'BackendFreelistType specifies the type of freelist that boltdb backend uses(array and map are supported types).', { choices: ['array', 'map'], unsupported: lmdbBackend }),
  flag('backend-batch-interval', 'duration', '0s', 'Member', 'BackendBatchInterval is the maximum time before commit the backend transaction.', { helpDefault: '' }),
  flag('backend-batch-limit', 'int', '0', 'Member', 'BackendBatchLimit is the maximum operations before commit the backend transaction.'),
  flag('max-txn-ops', 'uint', String(txnOpsMaxDefault), 'Member', 'Maximum number of operations permitted in a transaction.'),
  flag('max-request-bytes', 'uint', String(requestBytesMaxDefault), 'Member', 'Maximum client request size in bytes the server will accept.'),
  flag('max-concurrent-streams', 'uint32', String(concurrentStreamsMaxDefault), 'Member', 'Maximum concurrent streams that each client can open at a time.', { helpDefault: 'math.MaxUint32' }),
  flag('enable-grpc-gateway', 'bool', 'true', 'Member', 'Enable GRPC gateway.'),
  flag('grpc-keepalive-min-time', 'duration', '5s', 'Member', 'Minimum duration interval that a client should wait before pinging server.'),
  flag('grpc-keepalive-interval', 'duration', '2h', 'Member', 'Frequency duration of server-to-client ping to check if a connection is alive (0 to disable).'),
  flag('grpc-keepalive-timeout', 'duration', '20s', 'Member', 'Additional duration of wait before closing a non-responsive connection (0 to disable).'),
  flag('socket-reuse-port', 'bool', 'false', 'Member', 'Enable to set socket option SO_REUSEPORT on listeners allowing rebinding of a port already in use.', { unsupported: 'Node.js listeners do not expose SO_REUSEPORT here' }),
  flag('socket-reuse-address', 'bool', 'false', 'Member', 'Enable to set socket option SO_REUSEADDR on listeners allowing binding to an address in TIME_WAIT state.', { unsupported: 'Node.js sets SO_REUSEADDR on its listeners already' }),
  flag('raft-read-timeout', 'duration', '5s', 'Member', 'Read timeout set on each rafthttp connection', { unsupported: peerTransport }),
  flag('raft-write-timeout', 'duration', '5s', 'Member', 'Write timeout set on each rafthttp connection', { unsupported: peerTransport }),
];

const clustering: FlagSpec[] = [
  flag('initial-advertise-peer-urls', 'advertise-urls', 'http://localhost:2380', 'Clustering', "List of this member's peer URLs to advertise to the rest of the cluster."),
  flag('initial-cluster', 'string', '', 'Clustering', 'Initial cluster configuration for bootstrapping.', { helpDefault: 'default=http://localhost:2380' }),
  flag('initial-cluster-state', 'choice', 'new', 'Clustering', "Initial cluster state ('new' when bootstrapping a new cluster or 'existing' when adding new members to an existing cluster).\nAfter successful initialization (bootstrapping or adding), flag is ignored on restarts.", { choices: ['new', 'existing'] }),
  flag('initial-cluster-token', 'string', 'etcd-cluster', 'Clustering', 'Initial cluster token for the etcd cluster during bootstrap.\nSpecifying this can protect you from unintended cross-cluster interaction when running multiple clusters.'),
  flag('advertise-client-urls', 'advertise-urls', 'http://localhost:2379', 'Clustering', "List of this member's client URLs to advertise to the public.\nThe client URLs advertised should be accessible to machines that talk to etcd cluster. etcd client libraries parse these URLs to connect to the cluster."),
  flag('discovery', 'string', '', 'Clustering', 'Discovery URL used to bootstrap the cluster.', { unsupported: discovery }),
  flag('discovery-fallback', 'choice', 'proxy', 'Clustering', "Expected behavior ('exit' or 'proxy') when discovery services fails.\n\"proxy\" supports v2 API only.", { choices: ['exit', 'proxy'], unsupported: discovery }),
  flag('discovery-proxy', 'string', '', 'Clustering', 'HTTP proxy to use for traffic to discovery service.', { unsupported: discovery }),
  flag('discovery-srv', 'string', '', 'Clustering', 'DNS srv domain used to bootstrap the cluster.', { unsupported: discovery }),
  flag('discovery-srv-name', 'string', '', 'Clustering', 'Suffix to the dns srv name queried when bootstrapping.', { unsupported: discovery }),
  flag('strict-reconfig-check', 'bool', 'true', 'Clustering', 'Reject reconfiguration requests that would cause quorum loss.'),
  flag('pre-vote', 'bool', 'true', 'Clustering', 'Enable to run an additional Raft election phase.'),
  flag('auto-compaction-retention', 'string', '0', 'Clustering', 'Auto compaction retention length. 0 means disable auto compaction.'),
  flag('auto-compaction-mode', 'choice', 'periodic', 'Clustering', "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision number based retention.", { choices: ['periodic', 'revision'] }),
  flag('enable-v2', 'bool', 'false', 'Clustering', 'Accept etcd V2 client requests. Deprecated and to be decommissioned in v3.6.', { unsupported: v2Api }),
  flag('v2-deprecation', 'choice', 'not-yet', 'Clustering', 'Phase of v2store deprecation. Allows to opt-in for higher compatibility mode.', { choices: ['not-yet', 'write-only', 'write-only-drop-data', 'gone'], unsupported: v2Api }),
];

const security: FlagSpec[] = [
  flag('cert-file', 'string', '', 'Security', 'Path to the client server TLS cert file.', { fileKey: null }),
  flag('key-file', 'string', '', 'Security', 'Path to the client server TLS key file.', { fileKey: null }),
  flag('client-cert-auth', 'bool', 'false', 'Security', 'Enable client cert authentication.', { fileKey: null }),
  flag('client-cert-file', 'string', '', 'Security', 'Path to an explicit peer client TLS cert file otherwise cert file will be used when client auth is required.', { fileKey: null }),
  flag('client-key-file', 'string', '', 'Security', 'Path to an explicit peer client TLS key file otherwise key file will be used when client auth is required.', { fileKey: null }),
  flag('client-crl-file', 'string', '', 'Security', 'Path to the client certificate revocation list file.'),
  flag('client-cert-allowed-hostname', 'list', '', 'Security', 'Comma-separated list of SAN hostnames for client cert authentication.', { fileKey: null }),
  flag('trusted-ca-file', 'string', '', 'Security', 'Path to the client server TLS trusted CA cert file.', { fileKey: null }),
  flag('auto-tls', 'bool', 'false', 'Security', 'Client TLS using generated certificates.', { fileKey: null }),
  flag('peer-cert-file', 'string', '', 'Security', 'Path to the peer server TLS cert file.', { fileKey: null }),
  flag('peer-key-file', 'string', '', 'Security', 'Path to the peer server TLS key file.', { fileKey: null }),
  flag('peer-client-cert-auth', 'bool', 'false', 'Security', 'Enable peer client cert authentication.', { fileKey: null }),
  flag('peer-trusted-ca-file', 'string', '', 'Security', 'Path to the peer server TLS trusted CA file.', { fileKey: null }),
  flag('peer-cert-allowed-cn', 'list', '', 'Security', 'Comma-separated list of allowed CNs for inter-peer TLS authentication.', { fileKey: null }),
  flag('peer-cert-allowed-hostname', 'list', '', 'Security', 'Comma-separated list of allowed SAN hostnames for inter-peer TLS authentication.', { fileKey: null }),
  flag('peer-auto-tls', 'bool', 'false', 'Security', 'Peer TLS using self-generated certificates if --peer-key-file and --peer-cert-file are not provided.', { fileKey: null }),
  flag('peer-client-cert-file', 'string', '', 'Security', 'Path to an explicit peer client TLS cert file otherwise peer cert file will be used when client auth is required.', { fileKey: null }),
  flag('peer-client-key-file', 'string', '', 'Security', 'Path to an explicit peer client TLS key file otherwise peer key file will be used when client auth is required.', { fileKey: null }),
  flag('self-signed-cert-validity', 'uint', '1', 'Security', 'The validity period of the client and peer certificates that are automatically generated by etcd when you specify ClientAutoTLS and PeerAutoTLS, the unit is year, and the default is 1.'),
  flag('peer-crl-file', 'string', '', 'Security', 'Path to the peer certificate revocation list file.'),
  flag('cipher-suites', 'list', '', 'Security', 'Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Go).'),
  flag('cors', 'list', '*', 'Security', 'Comma-separated whitelist of origins for CORS, or cross-origin resource sharing, (empty or * means allow all).'),
  flag('host-whitelist', 'list', '*', 'Security', 'Acceptable hostnames from HTTP client requests, if server is not secure (empty or * means allow all).'),
  flag('tls-min-version', 'choice', 'TLS1.2', 'Security', 'Minimum TLS version supported by etcd. Possible values: TLS1.2, TLS1.3.', { choices: ['TLS1.2', 'TLS1.3'] }),
  flag('tls-max-version', 'choice', '', 'Security', 'Maximum TLS version supported by etcd. Possible values: TLS1.2, TLS1.3 (empty will be auto-populated by Go).', { choices: ['', 'TLS1.2', 'TLS1.3'] }),
  flag('experimental-peer-skip-client-san-verification', 'bool', 'false', 'Security', 'Skip verification of SAN field in client certificate for peer connections.', { fileKey: null }),
];

const auth: FlagSpec[] = [
  flag('auth-token', 'string', 'simple', 'Auth', "Specify a v3 authentication token type and its options ('simple' or 'jwt')."),
  flag('bcrypt-cost', 'uint', '10', 'Auth', 'Specify the cost / strength of the bcrypt algorithm for hashing auth passwords. Valid values are between 4 and 31.'),
  flag('auth-token-ttl', 'uint', '300', 'Auth', 'Time (in seconds) of the auth-token-ttl.'),
];

const monitoring: FlagSpec[] = [
  flag('enable-pprof', 'bool', 'false', 'Profiling and Monitoring', 'Enable runtime profiling data via HTTP server. Address is at client URL + "/debug/pprof/"', { unsupported: 'Cairn has no Go runtime to profile; run Node.js with --inspect instead' }),
  flag('metrics', 'choice', 'basic', 'Profiling and Monitoring', "Set level of detail for exported metrics, specify 'extensive' to include server side grpc histogram metrics.", { choices: ['basic', 'extensive'] }),
  flag('listen-metrics-urls', 'listen-urls', '', 'Profiling and Monitoring', 'List of URLs to listen on for the /metrics and /health endpoints. For https, the client URL TLS info is used.'),
];

const logging: FlagSpec[] = [
  flag('logger', 'string', 'zap', 'Logging', "Currently only supports 'zap' for structured logging."),
  flag('log-outputs', 'list', 'default', 'Logging', "Specify 'stdout' or 'stderr' to skip journald logging even when running under systemd, or list of comma separated output targets."),
  flag('log-level', 'choice', 'info', 'Logging', 'Configures log level. Only supports debug, info, warn, error, panic, or fatal.', { choices: logLevels }),
  flag('enable-log-rotation', 'bool', 'false', 'Logging', 'Enable log rotation of a single log-outputs file target.', { unsupported: 'Cairn does not rotate log files' }),
  flag('log-rotation-config-json', 'string', '{"maxsize": 100, "maxage": 0, "maxbackups": 0, "localtime": false, "compress": false}', 'Logging', 'Configures log rotation if enabled with a JSON logger config.', { unsupported: 'Cairn does not rotate log files' }),
  flag('debug', 'bool', 'false', 'Logging', "Enable debug-level logging for etcd. [Deprecated] Use '--log-level=debug' instead."),
];

const distributedTracing: FlagSpec[] = [
  flag('experimental-enable-distributed-tracing', 'bool', 'false', 'Experimental distributed tracing', 'Enable experimental distributed tracing.', { unsupported: tracing }),
  flag('experimental-distributed-tracing-address', 'string', 'localhost:4317', 'Experimental distributed tracing', 'Distributed tracing collector address.', { unsupported: tracing }),
  flag('experimental-distributed-tracing-service-name', 'string', 'etcd', 'Experimental distributed tracing', 'Distributed tracing service name, must be same across all etcd instances.', { unsupported: tracing }),
  flag('experimental-distributed-tracing-instance-id', 'string', '', 'Experimental distributed tracing', 'Distributed tracing instance ID, must be unique per each etcd instance.', { unsupported: tracing }),
  flag('experimental-distributed-tracing-sampling-rate', 'int', '0', 'Experimental distributed tracing', 'Number of samples to collect per million spans for distributed tracing. Disabled by default.', { unsupported: tracing }),
];

const proxySection = 'v2 Proxy (to be deprecated in v3.6)';
const proxy: FlagSpec[] = [
  flag('proxy', 'choice', 'off', proxySection, "Proxy mode setting ('off', 'readonly' or 'on').", { choices: ['off', 'readonly', 'on'], unsupported: v2Proxy }),
  flag('proxy-failure-wait', 'uint', '5000', proxySection, 'Time (in milliseconds) an endpoint will be held in a failed state.', { unsupported: v2Proxy }),
  flag('proxy-refresh-interval', 'uint', '30000', proxySection, 'Time (in milliseconds) of the endpoints refresh interval.', { unsupported: v2Proxy }),
  flag('proxy-dial-timeout', 'uint', '1000', proxySection, 'Time (in milliseconds) for a dial to timeout.', { unsupported: v2Proxy }),
  flag('proxy-write-timeout', 'uint', '5000', proxySection, 'Time (in milliseconds) for a write to timeout.', { unsupported: v2Proxy }),
  flag('proxy-read-timeout', 'uint', '0', proxySection, 'Time (in milliseconds) for a read to timeout.', { unsupported: v2Proxy }),
];

const leaseCheckpoints = 'Cairn always checkpoints lease remaining TTLs and persists them';
const experimental: FlagSpec[] = [
  flag('experimental-initial-corrupt-check', 'bool', 'false', 'Experimental feature', 'Enable to check data corruption before serving any client/peer traffic.'),
  flag('experimental-corrupt-check-time', 'duration', '0s', 'Experimental feature', 'Duration of time between cluster corruption check passes.', { unsupported: 'Cairn checks for corruption only at start (--experimental-initial-corrupt-check)' }),
  flag('experimental-compact-hash-check-enabled', 'bool', 'false', 'Experimental feature', 'Enable leader to periodically check followers compaction hashes.', { unsupported: notTuned }),
  flag('experimental-compact-hash-check-time', 'duration', '1m', 'Experimental feature', 'Duration of time between leader checks followers compaction hashes.', { unsupported: notTuned }),
  flag('experimental-enable-v2v3', 'string', '', 'Experimental feature', 'Serve v2 requests through the v3 backend under a given prefix. Deprecated and to be decommissioned in v3.6.', { unsupported: v2Api }),
  flag('experimental-enable-lease-checkpoint', 'bool', 'false', 'Experimental feature', 'ExperimentalEnableLeaseCheckpoint enables primary lessor to persist lease remainingTTL to prevent indefinite auto-renewal of long lived leases.', { unsupported: leaseCheckpoints }),
  flag('experimental-enable-lease-checkpoint-persist', 'bool', 'false', 'Experimental feature', 'Enable persisting remainingTTL to prevent indefinite auto-renewal of long lived leases. Always enabled in v3.6.', { unsupported: leaseCheckpoints }),
  flag('experimental-compaction-batch-limit', 'int', '1000', 'Experimental feature', 'ExperimentalCompactionBatchLimit sets the maximum revisions deleted in each compaction batch.', { unsupported: notTuned }),
  flag('experimental-compaction-sleep-interval', 'duration', '10ms', 'Experimental feature', 'ExperimentalCompactionSleepInterval sets the sleep interval between each compaction batch.', { unsupported: notTuned }),
  flag('experimental-watch-progress-notify-interval', 'duration', '10m', 'Experimental feature', 'Duration of periodical watch progress notification.'),
  flag('experimental-downgrade-check-time', 'duration', '5s', 'Experimental feature', 'Duration of time between two downgrade status checks.', { unsupported: 'Cairn members all run one version, so a downgrade job is never checked for completion' }),
  flag('experimental-memory-mlock', 'bool', 'false', 'Experimental feature', 'Enable to enforce etcd pages (in particular bbolt) to stay in RAM.', { unsupported: lmdbBackend }),
  flag('experimental-warning-apply-duration', 'duration', '100ms', 'Experimental feature', 'Warning is generated if requests take more than this duration.', { unsupported: notTuned }),
  flag('experimental-txn-mode-write-with-shared-buffer', 'bool', 'true', 'Experimental feature', 'Enable the write transaction to use a shared buffer in its readonly check operations.', { unsupported: lmdbBackend }),
  flag('experimental-bootstrap-defrag-threshold-megabytes', 'uint', '0', 'Experimental feature', 'Enable the defrag during etcd server bootstrap on condition that it will free at least the provided threshold of disk space. Needs to be set to non-zero value to take effect.', { unsupported: notTuned }),
  flag('experimental-stop-grpc-service-on-defrag', 'bool', 'false', 'Experimental feature', 'Enable etcd gRPC service to stop serving client requests on defragmentation.', { unsupported: notTuned }),
  flag('experimental-max-learners', 'int', '1', 'Experimental feature', 'Sets the maximum number of learners that can be available in the cluster membership.', { unsupported: notTuned }),
  flag('experimental-snapshot-catchup-entries', 'uint', '5000', 'Experimental feature', 'Number of entries for a slow follower to catch up after compacting the raft storage entries.', { unsupported: notTuned }),
];

const unsafe: FlagSpec[] = [
  flag('force-new-cluster', 'bool', 'false', 'Unsafe feature', 'Force to create a new one-member cluster.'),
  flag('unsafe-no-fsync', 'bool', 'false', 'Unsafe feature', 'Disables fsync, unsafe, will cause data loss.', { unsupported: 'Cairn always syncs its write-ahead log' }),
];

const usage: FlagSpec[] = [
  flag('config-file', 'string', '', 'Usage', 'Path to the server configuration file.', { fileKey: null }),
  flag('version', 'bool', 'false', 'Usage', 'Print the version and exit.', { fileKey: null }),
];

// etcd still accepts (and ignores) these flags of etcd v0.4.
const ignored: FlagSpec[] = [
  'cluster-active-size',
  'cluster-remove-delay',
  'cluster-sync-interval',
  'config',
  'force',
  'max-result-buffer',
  'max-retry-attempts',
  'peer-heartbeat-interval',
  'peer-election-timeout',
  'retry-interval',
  'snapshot',
  'v',
  'vv',
].map((name) => flag(name, 'ignored', '', 'Ignored', '', { fileKey: null, unsupported: 'it is an etcd v0.4 flag that etcd ignores too' }));

/** Every flag, in --help order. */
export const flagTable: readonly FlagSpec[] = [
  ...usage,
  ...member,
  ...clustering,
  ...security,
  ...auth,
  ...monitoring,
  ...logging,
  ...distributedTracing,
  ...proxy,
  ...experimental,
  ...unsafe,
  ...ignored,
];

const byName = new Map(flagTable.map((spec) => [spec.name, spec]));

/** The flag named `name` (without dashes), if etcd has one. */
export function findFlag(name: string): FlagSpec | undefined {
  return byName.get(name);
}
