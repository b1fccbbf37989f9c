// The typed configuration of one member, built from the resolved flags. Its fields are a superset of
// engine/server's ServerConfig (same names and types), so the result can be handed to the server as it is;
// the rest configures listeners, TLS, auth and logging.
import { backendBatchIntervalMs, backendBatchWritesMax, quotaBackendBytesDefault, quotaBackendBytesMaxRecommended } from '../common/limits.ts';
import { isLogLevel, type LogLevel } from '../common/logger.ts';
import { parseCompactionRetention } from './compaction-retention.ts';
import type { FlagReader } from './flag-reader.ts';
import { parseInitialCluster, type InitialClusterMember } from './initial-cluster.ts';
import { urlScheme } from './url-list.ts';
import type { MemberTlsSettings, TlsSideSettings, TlsVersion } from '../common/tls-settings.ts';

/** Everything a member is started with (the TLS settings in engine/common's shape, shared with engine/tls). */
export interface EngineConfig extends MemberTlsSettings {
  name: string;
  dataDir: string;
  /** Where the write-ahead log lives when not under the data directory. */
  walDir?: string;
  clientUrls: string[];
  advertiseClientUrls: string[];
  /** HTTP-only client listeners (--listen-client-http-urls); empty: HTTP shares the client URLs. */
  clientHttpUrls: string[];
  metricsUrls: string[];
  peerUrls: string[];
  advertisePeerUrls: string[];
  initialCluster: InitialClusterMember[];
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  forceNewCluster: boolean;
  strictReconfigCheck: boolean;
  initialElectionTickAdvance: boolean;
  preVote: boolean;
  snapshotCount: number;
  backendBatchIntervalMs: number;
  backendBatchWritesMax: number;
  snapshotsMax: number;
  walsMax: number;
  heartbeatMs: number;
  electionMs: number;
  /** The space quota in bytes (0 on the command line means etcd's 2 GiB; a negative value means no quota). */
  quotaBackendBytes: number;
  requestBytesMax: number;
  txnOpsMax: number;
  concurrentStreamsMax: number;
  autoCompactionMode: 'periodic' | 'revision';
  /** Periodic: a retention window in milliseconds; revision: a number of revisions. 0 disables. */
  autoCompactionRetention: number;
  initialCorruptCheck: boolean;
  watchProgressNotifyIntervalMs: number;
  enableGrpcGateway: boolean;
  grpcKeepaliveMinTimeMs: number;
  grpcKeepaliveIntervalMs: number;
  grpcKeepaliveTimeoutMs: number;
  cipherSuites: string[];
  cors: string[];
  hostWhitelist: string[];
  /** 'simple' or 'jwt,<options>' as given. */
  authToken: string;
  authTokenTtlSeconds: number;
  bcryptCost: number;
  metrics: 'basic' | 'extensive';
  logger: 'zap';
  logLevel: LogLevel;
  /** 'stderr', 'stdout' or file paths (etcd's 'default' becomes 'stderr'). */
  logOutputs: string[];
  /** The config file the settings came from, when one was used. */
  configFile?: string;
}

/** The etcd error for a client listener without an advertised client URL. */
export const unsetAdvertiseClientUrlsError = '--advertise-client-urls is required when --listen-client-urls is set explicitly';

const bcryptCostDefault = 10;
const bcryptCostMin = 4;
const bcryptCostMax = 31;

/** How the flags were given: some etcd rules apply to the command line only. */
export interface BuildContext {
  /** True when the settings came from a config file. */
  fromFile: boolean;
  configFile?: string;
}

/** Builds the config from resolved flags; returns the first error etcd would report, or the config and warnings. */
export function buildEngineConfig(flags: FlagReader, context: BuildContext): { config: EngineConfig; warnings: string[] } | { error: string } {
  const warnings: string[] = [];
  const name = flags.string('name');
  const advertisePeerUrls = flags.list('initial-advertise-peer-urls');
  // etcd drops the default advertised client URL when only the listener was given on the command line, so
  // that a member never advertises localhost while listening elsewhere.
  const missingAdvertise = !context.fromFile && flags.isSet('listen-client-urls') && !flags.isSet('advertise-client-urls');
  const advertiseClientUrls = missingAdvertise ? [] : flags.list('advertise-client-urls');
  const clientUrls = flags.list('listen-client-urls');
  if (clientUrls.length > 0 && advertiseClientUrls.length === 0) return { error: unsetAdvertiseClientUrlsError };

  const cluster = flags.isSet('initial-cluster')
    ? parseInitialCluster(flags.string('initial-cluster'))
    : { members: advertisePeerUrls.length > 0 ? [{ name, peerUrls: advertisePeerUrls }] : [] };
  if ('error' in cluster) return cluster;

  const autoCompactionMode = flags.string('auto-compaction-mode') as EngineConfig['autoCompactionMode'];
  const retention = parseCompactionRetention(autoCompactionMode, flags.string('auto-compaction-retention'));
  if ('error' in retention) return retention;

  const logging = readLogging(flags, warnings);
  if ('error' in logging) return logging;
  const auth = readAuth(flags, warnings);
  if ('error' in auth) return auth;

  const config: EngineConfig = {
    name,
    dataDir: flags.string('data-dir') || `${name}.etcd`,
    walDir: flags.string('wal-dir') || undefined,
    clientUrls,
    advertiseClientUrls,
    clientHttpUrls: flags.list('listen-client-http-urls'),
    metricsUrls: flags.list('listen-metrics-urls'),
    peerUrls: flags.list('listen-peer-urls'),
    advertisePeerUrls,
    initialCluster: cluster.members,
    initialClusterState: flags.string('initial-cluster-state') as EngineConfig['initialClusterState'],
    initialClusterToken: flags.string('initial-cluster-token'),
    forceNewCluster: flags.bool('force-new-cluster'),
    strictReconfigCheck: flags.bool('strict-reconfig-check'),
    initialElectionTickAdvance: flags.bool('initial-election-tick-advance'),
    preVote: flags.bool('pre-vote'),
    snapshotCount: flags.number('snapshot-count'),
    // 0 means etcd's defaults (100 ms, 10,000 writes), kept in limits.ts.
    backendBatchIntervalMs: flags.number('backend-batch-interval') || backendBatchIntervalMs,
    backendBatchWritesMax: flags.number('backend-batch-limit') || backendBatchWritesMax,
    snapshotsMax: flags.number('max-snapshots'),
    walsMax: flags.number('max-wals'),
    heartbeatMs: flags.number('heartbeat-interval'),
    electionMs: flags.number('election-timeout'),
    quotaBackendBytes: readQuota(flags.number('quota-backend-bytes'), warnings),
    requestBytesMax: flags.number('max-request-bytes'),
    txnOpsMax: flags.number('max-txn-ops'),
    concurrentStreamsMax: flags.number('max-concurrent-streams'),
    autoCompactionMode,
    autoCompactionRetention: retention.retention,
    initialCorruptCheck: flags.bool('experimental-initial-corrupt-check'),
    watchProgressNotifyIntervalMs: flags.number('experimental-watch-progress-notify-interval'),
    enableGrpcGateway: flags.bool('enable-grpc-gateway'),
    grpcKeepaliveMinTimeMs: flags.number('grpc-keepalive-min-time'),
    grpcKeepaliveIntervalMs: flags.number('grpc-keepalive-interval'),
    grpcKeepaliveTimeoutMs: flags.number('grpc-keepalive-timeout'),
    clientTls: readClientTls(flags, ''),
    peerTls: {
      ...readClientTls(flags, 'peer-'),
      allowedCommonNames: flags.list('peer-cert-allowed-cn'),
      skipClientSanVerification: flags.bool('experimental-peer-skip-client-san-verification'),
    },
    cipherSuites: flags.list('cipher-suites'),
    tlsMinVersion: flags.string('tls-min-version') as TlsVersion,
    tlsMaxVersion: (flags.string('tls-max-version') || undefined) as TlsVersion | undefined,
    selfSignedCertificateValidityYears: flags.number('self-signed-cert-validity'),
    cors: flags.list('cors'),
    hostWhitelist: flags.list('host-whitelist'),
    ...auth,
    metrics: flags.string('metrics') as EngineConfig['metrics'],
    ...logging,
    configFile: context.configFile,
  };
  warnUnixSockets(config, warnings);
  return { config, warnings };
}

function readQuota(bytes: number, warnings: string[]): number {
  if (bytes === 0) return quotaBackendBytesDefault;
  if (bytes < 0) {
    // etcd disables the quota for a negative value; an infinite quota keeps every size comparison valid.
    warnings.push(`--quota-backend-bytes ${bytes} is negative: the backend space quota is disabled`);
    return Number.POSITIVE_INFINITY;
  }
  if (bytes > quotaBackendBytesMaxRecommended) {
    warnings.push(`--quota-backend-bytes ${bytes} exceeds the maximum recommended value ${quotaBackendBytesMaxRecommended}`);
  }
  return bytes;
}

function readClientTls(flags: FlagReader, prefix: '' | 'peer-'): TlsSideSettings {
  return {
    certificateFile: flags.string(`${prefix}cert-file`),
    keyFile: flags.string(`${prefix}key-file`),
    trustedCaFile: flags.string(`${prefix}trusted-ca-file`),
    clientCertificateAuth: flags.bool(`${prefix}client-cert-auth`),
    autoTls: flags.bool(`${prefix}auto-tls`),
    clientCertificateFile: flags.string(`${prefix}client-cert-file`),
    clientKeyFile: flags.string(`${prefix}client-key-file`),
    revocationListFile: flags.string(prefix === '' ? 'client-crl-file' : 'peer-crl-file'),
    allowedHostnames: flags.list(prefix === '' ? 'client-cert-allowed-hostname' : 'peer-cert-allowed-hostname'),
  };
}

function readLogging(flags: FlagReader, warnings: string[]): Pick<EngineConfig, 'logger' | 'logLevel' | 'logOutputs'> | { error: string } {
  const logger = flags.string('logger');
  if (logger === 'capnslog') return { error: '--logger=capnslog is removed in v3.5' };
  if (logger !== 'zap') return { error: `unknown logger option ${JSON.stringify(logger)}` };
  const level = flags.string('log-level');
  if (!isLogLevel(level)) return { error: `unknown log level ${JSON.stringify(level)}` };
  let logLevel: LogLevel = level;
  if (flags.bool('debug')) {
    warnings.push("--debug is deprecated; use '--log-level=debug' instead");
    logLevel = 'debug';
  }
  const logOutputs = flags.list('log-outputs').map((output) => (output === 'default' ? 'stderr' : output));
  if (logOutputs.includes('systemd/journal')) {
    warnings.push('Cairn cannot log to systemd/journal; logging to stderr instead');
  }
  const outputs = [...new Set(logOutputs.map((output) => (output === 'systemd/journal' ? 'stderr' : output)))];
  return { logger: 'zap', logLevel, logOutputs: outputs.length > 0 ? outputs : ['stderr'] };
}

function readAuth(flags: FlagReader, warnings: string[]): Pick<EngineConfig, 'authToken' | 'authTokenTtlSeconds' | 'bcryptCost'> | { error: string } {
  const authToken = flags.string('auth-token');
  const tokenType = authToken.split(',')[0];
  if (tokenType !== 'simple' && tokenType !== 'jwt') return { error: `unknown token type: ${tokenType}` };
  let bcryptCost = flags.number('bcrypt-cost');
  if (bcryptCost < bcryptCostMin || bcryptCost > bcryptCostMax) {
    // etcd keeps running with the default cost rather than refusing to start.
    warnings.push(`--bcrypt-cost ${bcryptCost} is outside ${bcryptCostMin}..${bcryptCostMax}; using the default cost ${bcryptCostDefault}`);
    bcryptCost = bcryptCostDefault;
  }
  return { authToken, authTokenTtlSeconds: flags.number('auth-token-ttl'), bcryptCost };
}

function warnUnixSockets(config: EngineConfig, warnings: string[]): void {
  const all = [...config.clientUrls, ...config.clientHttpUrls, ...config.metricsUrls, ...config.peerUrls];
  const unix = all.filter((url) => urlScheme(url).startsWith('unix'));
  if (unix.length > 0) warnings.push(`Cairn does not listen on unix sockets; these URLs will not work: ${unix.join(', ')}`);
}
