// What a member is assembled from: the Raft node, the peer transport and the stores bootstrap.ts opens. These
// are the seams between the server's modules and the rest of the engine, kept apart from EtcdServer so that
// each module of the member can name the parts it uses without importing the class that wires them.
import type { Logger } from '../common/logger.ts';
import type { AuthStore } from '../auth/auth-store.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import type { ConfChange, Message, Ready } from '../raft/types.ts';
import type { Status } from '../raft/status.ts';
import type { Backend } from '../storage/backend/backend.ts';
import type { Applier } from './applier.ts';
import type { MemberStorage } from './member-storage.ts';
import type { ServerMetrics } from './metrics.ts';
import type { ServerConfig } from './server-config.ts';
import type { WatchHub } from './watch-hub.ts';

/** The Raft node as the server uses it (engine/raft's RaftNode). */
export interface ServerRaft {
  tick(): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(): void;
  propose(data: Uint8Array): void;
  proposeConfChange(change: ConfChange): void;
  readIndex(context: Uint8Array): void;
  campaign(): void;
  step(message: Message): void;
  reportUnreachable(id: bigint): void;
  reportSnapshot(id: bigint, failed: boolean): void;
  transferLeadership(transferee: bigint): void;
  status(): Status;
}

/** The peer transport as the server uses it (engine/transport's PeerTransport). */
export interface PeerLinks {
  send(messages: readonly Message[]): void;
  addPeer(id: bigint, urls: readonly string[]): void;
  updatePeer(id: bigint, urls: readonly string[]): void;
  removePeer(id: bigint): void;
  peerStats(): Array<{ id: bigint; active: boolean; activeSinceMs: number | undefined }>;
}

/** Everything a member is made of, opened by bootstrap.ts. */
export interface ServerParts {
  config: ServerConfig;
  logger: Logger;
  metrics: ServerMetrics;
  memberId: bigint;
  clusterId: bigint;
  raft: ServerRaft;
  storage: MemberStorage;
  backend: Backend;
  applier: Applier;
  /** The auth store and simple tokens the applier also holds (the API resolves and checks callers with them). */
  auth: AuthStore;
  tokens: TokenProvider;
  watchHub: WatchHub;
  /** The index the backend had applied when it was opened. */
  appliedIndex: number;
  /** Whether this member bootstrapped the cluster and must campaign at once (single member). */
  campaignOnStart: boolean;
  /** The other members to connect to at start (from --initial-cluster, the backend, or the cluster joined). */
  initialPeers: Array<{ id: bigint; peerUrls: string[] }>;
  /**
   * Replaces the member's state with the backend in `file` (a leader's snapshot): backend, MVCC store,
   * lessor, watchers and alarms. Resolves with the applied index the new backend records.
   */
  installSnapshotBackend(file: string): Promise<number>;
  clock: () => number;
}
