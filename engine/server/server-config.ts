// The settings a member runs with, already validated (engine/cli turns etcd's flags into these).
import type { PeerTlsOptions } from '../transport/index.ts';
import type { LeaderClientTls } from './leader-client.ts';

/** One member of the initial cluster, as given by --initial-cluster. */
export interface InitialMember {
  name: string;
  peerUrls: string[];
}

/** Settings of one member. */
export interface ServerConfig {
  name: string;
  dataDir: string;
  /** Where the write-ahead log lives; defaults to <dataDir>/member/wal. */
  walDir?: string;
  clientUrls: string[];
  advertiseClientUrls: string[];
  peerUrls: string[];
  advertisePeerUrls: string[];
  initialCluster: InitialMember[];
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  forceNewCluster: boolean;
  snapshotCount: number;
  /** Longest a write waits in the backend's buffer before its commit (--backend-batch-interval). */
  backendBatchIntervalMs: number;
  /** Buffered keys that start a backend commit at once (--backend-batch-limit). */
  backendBatchWritesMax: number;
  heartbeatMs: number;
  electionMs: number;
  quotaBackendBytes: number;
  requestBytesMax: number;
  txnOpsMax: number;
  autoCompactionMode: 'periodic' | 'revision';
  /** Periodic: a retention window in milliseconds; revision: a number of revisions. 0 disables. */
  autoCompactionRetention: number;
  strictReconfigCheck: boolean;
  concurrentStreamsMax: number;
  initialCorruptCheck: boolean;
  /** How often watchers that asked for progress notifications get one (--experimental-watch-progress-notify-interval). */
  watchProgressNotifyIntervalMs: number;
  /** Token provider (--auth-token): 'simple' (the default) or 'jwt,sign-method=...,pub-key=...,priv-key=...,ttl=...'. */
  authToken?: string;
  /** Simple token lifetime after its last use, in seconds (--auth-token-ttl, default 300). */
  authTokenTtlSeconds?: number;
  /** bcrypt cost of stored password hashes (--bcrypt-cost, default 10). */
  bcryptCost?: number;
  /** TLS for requests forwarded to the leader's https client URL (set by engine/embed from the client TLS flags). */
  leaderClientTls?: LeaderClientTls;
  /** TLS for asking peers for the cluster when joining over https peer URLs (the member's peer certificate). */
  joinPeerTls?: PeerTlsOptions;
  /**
   * etcd's ClientCertAuthEnabled (--client-cert-auth, not dropped by --auto-tls): only then does a verified client
   * certificate's Common Name name the caller. --trusted-ca-file alone verifies certificates but names nobody.
   */
  clientCertAuth?: boolean;
}

/** How long a proposal may wait for its entry to be applied. */
export function requestTimeoutMs(config: ServerConfig): number {
  // etcd: 5 s plus two election timeouts.
  return 5000 + 2 * config.electionMs;
}
