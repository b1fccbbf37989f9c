// Opens or creates a member from its data directory. A data dir that has a write-ahead log is a restart: the
// bootstrap flags are ignored (as etcd does) and Raft is rebuilt from the WAL. Otherwise a new member is
// created from --initial-cluster: IDs are computed as etcd computes them, the WAL is created with the member
// and cluster IDs as metadata, and Raft is bootstrapped with one AddNode entry per initial member.
import { existsSync, mkdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { Logger } from '../common/logger.ts';
import { authTokenTtlSecondsDefault, leaseTtlSecondsMin } from '../common/limits.ts';
import { messageType } from '../proto/load.ts';
import { RaftNode } from '../raft/raw-node.ts';
import { MemoryStorage } from '../raft/memory-storage.ts';
import type { RaftLogger } from '../raft/config.ts';
import { Wal } from '../storage/wal/wal.ts';
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import { KvStore } from '../mvcc/kv-store.ts';
import { WatchableStore } from '../mvcc/watchable-store.ts';
import { readConsistentIndex } from '../mvcc/meta.ts';
import { Lessor } from '../lease/lessor.ts';
import { dataDirLayout, hasWal } from './data-dir.ts';
import { computeClusterId, computeMemberId } from './ids.ts';
import { encodeMember, Membership } from './membership.ts';
import { MemberStorage, restoreLog } from './member-storage.ts';
import { snapshotBackendFileName, Snapshotter } from '../storage/snapshot/snapshotter.ts';
import path from 'node:path';
import { Applier } from './applier.ts';
import { joinCluster } from './join-cluster.ts';
import { EtcdServer } from './etcd-server.ts';
import type { ServerConfig } from './server-config.ts';
import type { ServerMetrics } from './metrics.ts';
import { leaseState, mvccState, watchHub } from './state-adapters.ts';
import { AuthStore } from '../auth/auth-store.ts';
import { createTokenProvider } from '../auth/create-token-provider.ts';

/** Process-level services a member is opened with. */
export interface OpenOptions {
  logger: Logger;
  metrics: ServerMetrics;
  clock?: () => number;
}

/** The WAL's metadata record: the member and cluster IDs (also written by cairn-util's snapshot restore). */
export function encodeWalMetadata(memberId: bigint, clusterId: bigint): Uint8Array {
  const type = messageType('cairnpb.WalMetadata');
  return type.encode(type.fromObject({ member_ID: memberId.toString(), cluster_ID: clusterId.toString() })).finish();
}

/** The member and cluster IDs of a WAL metadata record. */
export function decodeWalMetadata(bytes: Uint8Array): { memberId: bigint; clusterId: bigint } {
  const type = messageType('cairnpb.WalMetadata');
  const object = type.toObject(type.decode(bytes), { longs: String, defaults: true }) as { member_ID: string; cluster_ID: string };
  return { memberId: BigInt(object.member_ID), clusterId: BigInt(object.cluster_ID) };
}

function raftLogger(logger: Logger): RaftLogger {
  const raft = logger.child({ caller: 'raft' });
  return { debug: (text) => raft.debug(text), info: (text) => raft.info(text), warn: (text) => raft.warn(text) };
}

/** Identity and Raft state of a member, new or restarted. */
interface RaftStart {
  memberId: bigint;
  clusterId: bigint;
  wal: Wal;
  raftStorage: MemoryStorage;
  /** Peers to bootstrap a new cluster with; empty on restart and when joining. */
  peers: Array<{ id: bigint; context: Uint8Array }>;
  /** Other members known before the backend says (a new or joining member); empty on restart. */
  knownPeers: Array<{ id: bigint; peerUrls: string[] }>;
}

async function restartFromWal(walDirectory: string, snapshotter: Snapshotter, logger: Logger): Promise<RaftStart> {
  const restored = await restoreLog(walDirectory, snapshotter);
  for (const warning of restored.warnings) logger.warn('repaired a torn write-ahead log tail', { detail: warning });
  const { memberId, clusterId } = decodeWalMetadata(restored.metadata);
  logger.info('restarting local member', {
    'local-member-id': memberId,
    'cluster-id': clusterId,
    'commit-index': restored.commitIndex,
    'snapshot-index': restored.raftStorage.snapshot().metadata.index,
    'wal-entries': restored.entryCount,
  });
  return { memberId, clusterId, wal: restored.wal, raftStorage: restored.raftStorage, peers: [], knownPeers: [] };
}

async function createNewMember(config: ServerConfig, walDirectory: string, logger: Logger): Promise<RaftStart> {
  if (config.initialClusterState === 'existing') {
    const joined = await joinCluster(config);
    const wal = await Wal.create(walDirectory, encodeWalMetadata(joined.memberId, joined.clusterId));
    logger.info('joining an existing cluster', { 'local-member-id': joined.memberId, 'cluster-id': joined.clusterId, members: joined.members.length });
    return { memberId: joined.memberId, clusterId: joined.clusterId, wal, raftStorage: new MemoryStorage(), peers: [], knownPeers: joined.members };
  }
  const members = config.initialCluster.map((member) => ({
    id: computeMemberId(member.peerUrls, config.initialClusterToken),
    name: member.name,
    peerUrls: member.peerUrls,
  }));
  const self = members.find((member) => member.name === config.name);
  if (!self) throw new Error(`couldn't find local name "${config.name}" in the initial cluster configuration`);
  const clusterId = computeClusterId(members.map((member) => member.id));
  const wal = await Wal.create(walDirectory, encodeWalMetadata(self.id, clusterId));
  logger.info('starting local member', { 'local-member-id': self.id, 'cluster-id': clusterId, 'cluster-token': config.initialClusterToken });
  const peers = members.map((member) => ({
    id: member.id,
    context: encodeMember({ id: member.id, name: '', peerUrls: member.peerUrls, clientUrls: [], isLearner: false }),
  }));
  return { memberId: self.id, clusterId, wal, raftStorage: new MemoryStorage(), peers, knownPeers: members };
}

/** Opens the member described by `config` (not yet started). */
export async function openMember(config: ServerConfig, options: OpenOptions): Promise<EtcdServer> {
  const clock = options.clock ?? Date.now;
  const logger = options.logger;
  // Before anything is opened: unusable --auth-token options stop the start with etcd's error.
  const tokens = createTokenProvider({
    authToken: config.authToken ?? 'simple',
    simpleTtlMs: (config.authTokenTtlSeconds ?? authTokenTtlSecondsDefault) * 1000,
    clock,
    logger: logger.child({ caller: 'auth' }),
  });
  const layout = dataDirLayout(config.dataDir, config.walDir);
  mkdirSync(layout.member, { recursive: true, mode: 0o700 });
  mkdirSync(layout.snap, { recursive: true, mode: 0o700 });
  const snapshotter = new Snapshotter(layout.snap, { onBroken: (message) => logger.warn('skipped a broken snapshot file', { detail: message }) });
  const restarting = hasWal(layout);
  const start = restarting ? await restartFromWal(layout.wal, snapshotter, logger) : await createNewMember(config, layout.wal, logger);

  const backend = LmdbBackend.open(layout.db, { intervalMs: config.backendBatchIntervalMs, writesMax: config.backendBatchWritesMax });
  // A leader's snapshot whose record is durable but whose backend was not yet installed (a crash in between):
  // install it now, or the entries it covers would be missing (they are not in the WAL).
  const snapshotPosition = start.raftStorage.snapshot().metadata;
  const receivedBackend = path.join(layout.snap, snapshotBackendFileName(snapshotPosition.term, snapshotPosition.index));
  if (snapshotPosition.index > readConsistentIndex(backend) && existsSync(receivedBackend)) {
    logger.info('installing the backend of a received snapshot', { 'snapshot-index': snapshotPosition.index });
    await backend.replaceWith(receivedBackend);
  }
  const lessor = Lessor.restore(backend, { clock, ttlSecondsMin: leaseTtlSecondsMin(config.heartbeatMs, config.electionMs) });
  const kv = KvStore.open({ backend, leases: lessor });
  const watchable = new WatchableStore(kv);
  if (Membership.clusterId(backend) === undefined) backend.write((tx) => Membership.saveClusterId(tx, start.clusterId));

  const electionTick = Math.max(2, Math.round(config.electionMs / config.heartbeatMs));
  const raft = new RaftNode({
    id: start.memberId,
    storage: start.raftStorage,
    rng: () => randomInt(0, 2 ** 32) / 2 ** 32,
    electionTick,
    heartbeatTick: 1,
    checkQuorum: true,
    preVote: true,
    logger: raftLogger(logger),
  });
  if (start.peers.length > 0) raft.bootstrap(start.peers);
  let confState = start.raftStorage.initialState().confState;
  // The server exists only after the applier; membership changes reach it through this late binding.
  const late: { server?: EtcdServer } = {};

  const auth = new AuthStore(backend);
  const applier = new Applier({
    auth,
    tokens,
    backend,
    mvcc: mvccState(kv),
    leases: leaseState(lessor, config.electionMs),
    logger,
    applyConfChange: (change) => {
      confState = raft.applyConfChange(change);
      late.server?.onConfChangeApplied(change);
    },
  });
  const consistentIndex = kv.consistentIndex();
  const voters = start.peers.length > 0 ? start.peers.length : Membership.members(backend).filter((member) => !member.isLearner).length;
  const initialPeers = start.knownPeers.length > 0 ? start.knownPeers : Membership.members(backend);
  const server = new EtcdServer({
    config,
    logger,
    metrics: options.metrics,
    memberId: start.memberId,
    clusterId: start.clusterId,
    raft,
    storage: new MemberStorage(start.wal, start.raftStorage, snapshotter, { snapshotCount: config.snapshotCount, confState: () => confState, logger }),
    backend,
    applier,
    auth,
    tokens,
    watchHub: watchHub(watchable),
    appliedIndex: consistentIndex,
    // A cluster of one elects itself at once instead of waiting out an election timeout.
    campaignOnStart: voters === 1 && start.knownPeers.length <= 1,
    installSnapshotBackend: async (file) => {
      const previousRevision = kv.currentRevision();
      kv.prepareReload();
      await backend.replaceWith(file);
      // The lessor first: the store re-attaches its keys to the reloaded leases.
      lessor.reload(backend);
      kv.reload();
      watchable.storeReplaced(previousRevision);
      applier.reloadState();
      return kv.consistentIndex();
    },
    initialPeers: initialPeers.filter((peer) => peer.id !== start.memberId).map((peer) => ({ id: peer.id, peerUrls: peer.peerUrls })),
    clock,
  });
  late.server = server;
  return server;
}

