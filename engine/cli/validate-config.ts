// Checks across flags, with etcd's messages (embed.Config.Validate and the bootstrap checks of
// etcdserver.ServerConfig), so that an operator gets the same answer from Cairn as from etcd.
import type { EngineConfig } from './engine-config.ts';

/** etcd's ceiling for --election-timeout. */
export const electionTimeoutMsMax = 50_000;

/** The first problem etcd would report for `config`, or undefined when it is valid. */
export function validateEngineConfig(config: EngineConfig): string | undefined {
  return checkTimers(config) ?? checkMembership(config) ?? checkTls(config);
}

function checkTimers({ heartbeatMs, electionMs }: EngineConfig): string | undefined {
  if (heartbeatMs <= 0) return `--heartbeat-interval must be >0 (set to ${heartbeatMs}ms)`;
  if (electionMs <= 0) return `--election-timeout must be >0 (set to ${electionMs}ms)`;
  if (5 * heartbeatMs > electionMs) {
    return `--election-timeout[${electionMs}ms] should be at least as 5 times as --heartbeat-interval[${heartbeatMs}ms]`;
  }
  if (electionMs > electionTimeoutMsMax) {
    return `--election-timeout[${electionMs}ms] is too long, and should be set less than ${electionTimeoutMsMax}ms`;
  }
  return undefined;
}

/**
 * The member must appear in --initial-cluster with exactly its advertised peer URLs. etcd checks this when it
 * bootstraps (a new cluster, or joining an existing one); a forced new cluster starts from the data directory.
 */
function checkMembership(config: EngineConfig): string | undefined {
  if (config.forceNewCluster) return undefined;
  const self = config.initialCluster.find((member) => member.name === config.name);
  if (!self) return `couldn't find local name ${JSON.stringify(config.name)} in the initial cluster configuration`;
  const advertised = [...config.advertisePeerUrls].sort().join(',');
  const listed = [...self.peerUrls].sort().join(',');
  if (advertised !== listed) return `--initial-cluster has ${listed} but missing from --initial-advertise-peer-urls=${advertised}`;
  return undefined;
}

function checkTls(config: EngineConfig): string | undefined {
  for (const [prefix, tls] of [
    ['', config.clientTls],
    ['peer-', config.peerTls],
  ] as const) {
    if ((tls.certificateFile === '') !== (tls.keyFile === '')) return `--${prefix}cert-file and --${prefix}key-file must be given together`;
    if ((tls.clientCertificateFile === '') !== (tls.clientKeyFile === '')) {
      return `--${prefix}client-cert-file and --${prefix}client-key-file must be given together`;
    }
  }
  if (config.tlsMaxVersion && config.tlsMinVersion > config.tlsMaxVersion) {
    return `min version (${config.tlsMinVersion}) is greater than max version (${config.tlsMaxVersion})`;
  }
  if (config.tlsMinVersion === 'TLS1.3' && config.cipherSuites.length > 0) {
    return 'cipher suites cannot be configured when only TLS1.3 is enabled';
  }
  return undefined;
}
