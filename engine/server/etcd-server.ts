// One member: it owns the Raft node, the write-ahead log, the backend, the MVCC store and the lessor, and
// turns client requests into proposals (writes), ReadIndex rounds (linearizable reads) or local reads
// (serializable). Everything that changes state is applied from the log by the Applier, so a member's state
// is a pure function of its log.
import { uint64Long, type Uint64Long } from '../proto/uint64.ts';
import { Errors, EtcdError } from '../common/errors.ts';
import { leaderTransferTimeoutMs, leaseTtlSecondsMin, proposalsPendingMax } from '../common/limits.ts';
import type { Logger } from '../common/logger.ts';
import { etcdServerVersion } from '../common/version.ts';
import type { InternalRaftRequest, InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import type { ConfChange, Entry, HardState, Message, ReadState, Snapshot, SoftState } from '../raft/types.ts';
import type { Status } from '../raft/status.ts';
import { ConfChangeType, ProposalDroppedError, StepPeerNotFoundError } from '../raft/index.ts';
import { MessageType, NONE, StateType } from '../raft/types.ts';
import type { Backend, BackendSnapshot } from '../storage/backend/backend.ts';
import type { AuthApi, Caller, ServerApi } from './server-api.ts';
import type { AuthInfo, AuthStore } from '../auth/auth-store.ts';
import { PermissionType } from '../auth/permission-check.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import { bcryptCostDefault } from '../auth/password-hash.ts';
import { rootUser } from '../auth/auth-store.ts';
import { AuthOps } from './auth-ops.ts';
import { checkTxnPermitted } from './request-permissions.ts';
import type { ServerConfig } from './server-config.ts';
import type { ServerMetrics } from './metrics.ts';
import { WaitRegistry } from './wait.ts';
import { RequestIdGenerator } from './ids.ts';
import { encodeInternalRequest, encodeProposedRequest } from './internal-request.ts';
import { RaftDriver, type RaftDriverHost } from './raft-driver.ts';
import { ReadIndexCoordinator } from './read-index.ts';
import { AppliedIndexWait } from './applied-index-wait.ts';
import { Applier, type ApplyResult } from './applier.ts';
import { AlarmType, alarmName } from './alarms.ts';
import { AutoCompactor } from './auto-compactor.ts';
import { Membership, toProtoMember } from './membership.ts';
import { ClusterOps } from './cluster-ops.ts';
import { LeaderClient } from './leader-client.ts';
import type { PeerMemberDocument } from './join-cluster.ts';
import type { MemberStorage } from './member-storage.ts';
import { applyRange, isReadOnlyTxn } from './apply-kv.ts';
import type { WatchHub } from './watch-hub.ts';
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { RangeResponse } from '../proto/generated/etcdserverpb/RangeResponse.ts';
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { PutResponse } from '../proto/generated/etcdserverpb/PutResponse.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { DeleteRangeResponse } from '../proto/generated/etcdserverpb/DeleteRangeResponse.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { TxnResponse } from '../proto/generated/etcdserverpb/TxnResponse.ts';
import type { CompactionRequest__Output } from '../proto/generated/etcdserverpb/CompactionRequest.ts';
import type { CompactionResponse } from '../proto/generated/etcdserverpb/CompactionResponse.ts';
import type { LeaseGrantRequest__Output } from '../proto/generated/etcdserverpb/LeaseGrantRequest.ts';
import type { LeaseGrantResponse } from '../proto/generated/etcdserverpb/LeaseGrantResponse.ts';
import type { LeaseRevokeResponse } from '../proto/generated/etcdserverpb/LeaseRevokeResponse.ts';
import type { LeaseTimeToLiveResponse } from '../proto/generated/etcdserverpb/LeaseTimeToLiveResponse.ts';
import type { LeaseLeasesResponse } from '../proto/generated/etcdserverpb/LeaseLeasesResponse.ts';
import type { AlarmRequest__Output } from '../proto/generated/etcdserverpb/AlarmRequest.ts';
import type { AlarmResponse } from '../proto/generated/etcdserverpb/AlarmResponse.ts';
import type { StatusResponse } from '../proto/generated/etcdserverpb/StatusResponse.ts';
import type { HashResponse } from '../proto/generated/etcdserverpb/HashResponse.ts';
import type { HashKVResponse } from '../proto/generated/etcdserverpb/HashKVResponse.ts';
import type { Member } from '../proto/generated/etcdserverpb/Member.ts';
import type { ResponseHeader } from '../proto/generated/etcdserverpb/ResponseHeader.ts';

/** The Raft node as the server uses it (engine/raft's RaftNode). */
export interface ServerRaft {
  tick(): void;
  hasReady(): boolean;
  ready(): import('../raft/types.ts').Ready;
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

/** How long a proposal may wait for its entry to be applied. */
function requestTimeoutMs(config: ServerConfig): number {
  // etcd: 5 s plus two election timeouts.
  return 5000 + 2 * config.electionMs;
}

/** A client request as the gRPC layer decoded it: exactly one of these, every field of it present. */
type ClientRequest = Partial<Pick<InternalRaftRequest__Output, 'put' | 'delete_range' | 'txn'>>;

export class EtcdServer implements ServerApi, RaftDriverHost {
  readonly limits;
  readonly watchHub: WatchHub;
  private readonly waits = new WaitRegistry<ApplyResult>();
  private readonly ids: RequestIdGenerator;
  private readonly driver: RaftDriver;
  private readonly reads: ReadIndexCoordinator;
  private readonly applied: AppliedIndexWait;
  private leaderId: bigint = NONE;
  /** When the current leader was elected (this member's clock), for classifying timeouts. */
  private leaderElectedMs = 0;
  private currentTerm = 0;
  private committedIndex = 0;
  private stopping = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly compactor: AutoCompactor;
  /** The backend file size, refreshed after each applied batch: the quota check runs on every write. */
  private backendTotalBytes = 0;
  private readonly config: ServerConfig;
  private readonly logger: Logger;
  private readonly metrics: ServerMetrics;
  private readonly applier: Applier;
  private transport: PeerLinks | undefined;
  private readonly clusterOps: ClusterOps;
  private readonly authOps: AuthOps;
  /** The Auth service. */
  readonly auth: AuthApi;
  private readonly leaderClient = new LeaderClient(
    () => (this.leaderId === NONE ? undefined : Membership.member(this.parts.backend, this.leaderId)?.clientUrls[0]),
    () => this.parts.config.leaderClientTls,
  );
  /** Settled when the leader changes to the awaited member (MoveLeader). */
  private readonly leaderWaits = new Set<{ target: bigint; resolve: () => void }>();
  /** Backends that arrived with snapshot messages, by snapshot index, until Raft hands the snapshot back. */
  private readonly receivedBackends = new Map<number, string>();
  /** The IDs every response header carries, ready for the encoder (see engine/proto/uint64.ts). */
  private readonly memberIdLong: Uint64Long;
  private readonly clusterIdLong: Uint64Long;

  constructor(private readonly parts: ServerParts) {
    this.config = parts.config;
    this.logger = parts.logger;
    this.metrics = parts.metrics;
    this.applier = parts.applier;
    this.watchHub = parts.watchHub;
    this.limits = {
      requestBytesMax: parts.config.requestBytesMax,
      txnOpsMax: parts.config.txnOpsMax,
      watchProgressNotifyIntervalMs: parts.config.watchProgressNotifyIntervalMs,
    };
    this.ids = new RequestIdGenerator(parts.memberId, parts.clock());
    this.memberIdLong = uint64Long(parts.memberId);
    this.clusterIdLong = uint64Long(parts.clusterId);
    this.applied = new AppliedIndexWait(parts.appliedIndex);
    this.reads = new ReadIndexCoordinator(
      { requestReadIndex: (context) => this.requestReadIndex(context), appliedIndex: () => this.applied.appliedIndex },
      requestTimeoutMs(parts.config),
    );
    this.driver = new RaftDriver(parts.raft, this, parts.config.heartbeatMs);
    this.metrics.serverId.set({ server_id: this.memberId.toString(16) }, 1);
    this.metrics.serverVersion.set({ server_version: etcdServerVersion }, 1);
    this.metrics.quotaBackendBytes.set(parts.config.quotaBackendBytes);
    this.backendTotalBytes = parts.backend.size().totalBytes;
    this.metrics.onCollect(() => this.updateSizeMetrics());
    this.compactor = new AutoCompactor(
      {
        isLeader: () => this.leaderId === this.memberId,
        currentRevision: () => this.applier.currentRevision(),
        compactedRevision: () => this.applier.compactedRevision(),
        compact: async (revision) => {
          await this.compact({ revision: String(revision), physical: false });
          this.logger.info('completed auto revision compaction', { revision, retention: parts.config.autoCompactionRetention });
        },
      },
      parts.config.autoCompactionMode,
      parts.config.autoCompactionRetention,
      parts.clock,
      (error) => this.logger.warn('failed auto compaction', { error: error.message }),
    );
    this.authOps = new AuthOps({
      auth: parts.auth,
      tokens: parts.tokens,
      bcryptCost: parts.config.bcryptCost ?? bcryptCostDefault,
      logger: parts.logger,
      propose: (request, info) => this.proposeForResult(request, false, info).then((result) => result.response),
      linearizableRead: () => this.linearizableRead(),
      requestTimeoutMs: requestTimeoutMs(parts.config),
      waitApplied: (index, timeoutMs) => this.applied.waitWithin(index, timeoutMs),
    });
    this.auth = this.authOps;
    this.clusterOps = new ClusterOps(
      {
        memberId: parts.memberId,
        members: () => Membership.members(parts.backend),
        leaderId: () => this.leaderId,
        raftStatus: () => parts.raft.status(),
        peerActiveSinceMs: (id) => this.transport?.peerStats().find((peer) => peer.id === id)?.activeSinceMs,
        strictReconfigCheck: parts.config.strictReconfigCheck,
        proposeConfChange: (change) => this.proposeConfChange(change),
        transferLeadership: (target) => this.transferLeadership(target),
        nextRequestId: () => this.ids.next(),
        clock: parts.clock,
      },
      parts.clusterId,
    );
  }

  /** Connects the member to its peers; call once, before start(). */
  attachTransport(transport: PeerLinks): void {
    this.transport = transport;
    for (const peer of this.parts.initialPeers) if (peer.id !== this.memberId) transport.addPeer(peer.id, peer.peerUrls);
  }

  /** This member's ID. */
  get memberId(): bigint {
    return this.parts.memberId;
  }

  /** The cluster's ID. */
  get clusterId(): bigint {
    return this.parts.clusterId;
  }

  /** Starts Raft and the background duties (lease expiry, checkpoints, backend sync, size metrics). */
  start(): void {
    if (this.parts.campaignOnStart) this.parts.raft.campaign();
    this.driver.start();
    this.compactor.start();
    this.every(500, () => this.expireLeases());
    this.every(500, () => this.checkpointLeases());
    this.every(1000, () => void this.syncBackend());
  }

  /** Resolves once this member knows a leader and has applied everything committed at start. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = this.parts.clock() + timeoutMs;
    while (this.leaderId === NONE || this.applied.appliedIndex < this.committedIndex) {
      if (this.parts.clock() > deadline) throw Errors.Timeout;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Publishes this member's name and client URLs through the log, so MemberList shows them everywhere. */
  async publish(name: string, clientUrls: string[]): Promise<void> {
    await this.propose({ cluster_member_attr_set: { member_ID: this.memberId.toString(), member_attributes: { name, client_urls: clientUrls } } });
    this.logger.info('published local member to cluster through raft', {
      'local-member-id': this.memberId,
      'local-member-attributes': `{Name:${name} ClientURLs:[${clientUrls.join(' ')}]}`,
      'cluster-id': this.clusterId,
    });
  }

  /** Stops serving, flushes the backend and closes storage. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    await this.checkpointAllLeases();
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.compactor.stop();
    this.driver.stop();
    this.waits.rejectAll(Errors.Stopped);
    this.reads.rejectAll(Errors.Stopped);
    this.watchHub.close();
    this.leaderClient.close();
    await this.parts.backend.sync();
    await this.parts.storage.close();
    await this.parts.backend.close();
  }

  private every(intervalMs: number, duty: () => void): void {
    this.timers.push(setInterval(duty, intervalMs));
  }

  // ---- Raft driver host ----

  /** Persists a Ready's durable parts. */
  async persist(hardState: HardState | undefined, entries: Entry[], snapshot: Snapshot | undefined, sync: boolean): Promise<void> {
    const started = performance.now();
    const backendCopy = snapshot === undefined ? undefined : this.receivedBackends.get(snapshot.metadata.index);
    if (snapshot !== undefined && backendCopy === undefined) throw new Error(`no backend arrived with the snapshot at index ${snapshot.metadata.index}`);
    await this.parts.storage.save(hardState, entries, snapshot, sync, backendCopy);
    if (snapshot !== undefined) this.receivedBackends.clear();
    if (sync) this.metrics.walFsyncSeconds.observe((performance.now() - started) / 1000);
    if (hardState) {
      this.currentTerm = hardState.term;
      this.committedIndex = Math.max(this.committedIndex, hardState.commit);
      this.metrics.proposalsCommitted.set(this.committedIndex);
    }
  }

  /** Sends peer messages through the transport (a member started without one has no peers to reach). */
  send(messages: Message[]): void {
    if (messages.length === 0) return;
    for (let i = 0; i < messages.length; i++) {
      const snapshot = messages[i].snapshot;
      if (messages[i].type !== MessageType.Snap || !snapshot) continue;
      const metadata = this.parts.storage.mergedSnapshotMetadata(snapshot.metadata, this.applied.appliedIndex);
      messages[i] = { ...messages[i], snapshot: { ...snapshot, metadata } };
    }
    this.transport?.send(messages);
  }

  /**
   * Installs a snapshot received from the leader: its backend replaces this member's state. The backend was
   * copied when the leader sent it, so it may already hold entries after the snapshot's index: those are
   * skipped when they arrive (their membership changes still reach Raft).
   */
  async applySnapshot(snapshot: Snapshot): Promise<void> {
    const { index, term } = snapshot.metadata;
    const appliedIndex = await this.parts.installSnapshotBackend(this.parts.storage.snapshotBackendPath(term, index));
    if (appliedIndex < index) throw new Error(`the backend received with snapshot ${index} has only applied up to ${appliedIndex}`);
    this.applied.advance(appliedIndex);
    this.backendTotalBytes = this.parts.backend.size().totalBytes;
    this.syncPeersWithMembership();
    this.reads.onApplied(this.applied.appliedIndex);
    this.logger.info('applied snapshot', { 'snapshot-index': index, 'applied-index': appliedIndex });
  }

  /** Connects to every member the membership lists and drops peers it no longer has. */
  private syncPeersWithMembership(): void {
    if (this.transport === undefined) return;
    const members = Membership.members(this.parts.backend).filter((member) => member.id !== this.memberId);
    const ids = new Set(members.map((member) => member.id));
    for (const peer of this.transport.peerStats()) if (!ids.has(peer.id)) this.transport.removePeer(peer.id);
    for (const member of members) this.transport.addPeer(member.id, member.peerUrls);
  }

  /** Applies committed entries in order and settles their waiters. */
  applyEntries(entries: Entry[]): void {
    const fresh: Entry[] = [];
    for (const entry of entries) {
      if (entry.index <= this.applied.appliedIndex) this.applier.replayConfChange(entry);
      else fresh.push(entry);
    }
    if (fresh.length > 0) {
      for (const outcome of this.applier.applyEntries(fresh)) this.waits.trigger(outcome.id, outcome.result);
      this.applied.advance(fresh[fresh.length - 1]!.index);
      this.backendTotalBytes = this.parts.backend.size().totalBytes;
    }
    this.metrics.proposalsApplied.set(this.applied.appliedIndex);
    this.metrics.proposalsPending.set(this.waits.size);
    this.reads.onApplied(this.applied.appliedIndex);
  }

  /** Tracks the leader. */
  onSoftState(state: SoftState): void {
    const previous = this.leaderId;
    this.leaderId = state.lead;
    for (const wait of this.leaderWaits) if (wait.target === state.lead) wait.resolve();
    if (previous !== state.lead && state.lead !== NONE) this.leaderElectedMs = this.parts.clock();
    // A read point asked of the old leader may never be answered; etcd fails such reads at once.
    if (previous !== NONE && previous !== state.lead) this.reads.rejectInFlight(Errors.LeaderChanged);
    this.metrics.hasLeader.set(state.lead === NONE ? 0 : 1);
    this.metrics.isLeader.set(state.raftState === StateType.Leader ? 1 : 0);
    if (previous !== state.lead) {
      if (state.lead !== NONE) {
        this.metrics.leaderChanges.inc();
        this.logger.info(previous === NONE ? 'raft.node: elected leader' : 'raft.node: changed leader', {
          'local-member-id': this.memberId,
          'leader-id': state.lead,
          term: this.currentTerm,
        });
      } else {
        this.logger.info('raft.node: lost leader', { 'local-member-id': this.memberId, term: this.currentTerm });
      }
    }
    this.applier.setPrimary(state.raftState === StateType.Leader);
  }

  /** Releases linearizable reads. */
  onReadStates(states: ReadState[]): void {
    for (const state of states) this.reads.onReadState(state.requestContext, state.index);
  }

  /** A storage failure: stop before the member can diverge from its log. */
  onFatal(error: Error): void {
    this.logger.error('member stopped after a storage failure', { error: error.message });
    void this.stop().finally(() => process.exit(1));
  }

  // ---- peer transport host ----

  /** A message from a peer, for Raft. */
  stepPeerMessage(message: Message): void {
    if (this.stopping) return;
    try {
      this.parts.raft.step(message);
    } catch (error) {
      // Responses from members this one no longer knows, and the like, are stale rather than harmful.
      if (!(error instanceof StepPeerNotFoundError)) throw error;
    }
    this.driver.schedule();
  }

  /** The transport could not deliver to `id`: Raft stops streaming to it optimistically. */
  reportUnreachable(id: bigint): void {
    if (this.stopping) return;
    this.parts.raft.reportUnreachable(id);
    this.driver.schedule();
  }

  /** How sending a snapshot to `id` ended. */
  reportSnapshotStatus(id: bigint, ok: boolean): void {
    if (this.stopping) return;
    this.parts.raft.reportSnapshot(id, !ok);
    this.driver.schedule();
  }

  /**
   * A snapshot message whose backend arrived complete in `payloadFile`: the message goes to Raft, which hands
   * the snapshot back in a Ready; persisting it moves the file beside the snapshot record, and applying it
   * installs the backend.
   */
  receiveSnapshot(message: Message, payloadFile: string): void {
    const index = message.snapshot?.metadata.index ?? 0;
    this.receivedBackends.set(index, payloadFile);
    this.logger.info('received snapshot backend', { 'snapshot-index': index, from: message.from.toString(16) });
    this.stepPeerMessage(message);
  }

  /** The backend copy that travels with a snapshot message to a lagging follower, in chunks. */
  async *snapshotPayload(_message: Message): AsyncIterable<Uint8Array> {
    const copy = await this.snapshot();
    try {
      yield* copy.chunks();
    } finally {
      await copy.release();
    }
  }

  /** Whether `id` was removed from the cluster (its peer traffic is refused). */
  isRemovedMember(id: bigint): boolean {
    return Membership.isRemoved(this.parts.backend, id);
  }

  /** The members as served on the peer port's GET /members (what a joining member bootstraps from). */
  peerMembers(): PeerMemberDocument[] {
    return Membership.members(this.parts.backend).map((member) => ({
      id: member.id.toString(16),
      name: member.name,
      peerURLs: member.peerUrls,
      clientURLs: member.clientUrls,
      isLearner: member.isLearner,
    }));
  }

  /** A peer refused this member as removed: it stops, as etcd does (once, however often peers say so). */
  onRemovedFromCluster(): void {
    if (this.stopping) return;
    this.logger.warn('the member has been permanently removed from the cluster', { 'local-member-id': this.memberId });
    this.logger.warn('the data-dir used by this member must be removed', { 'data-dir': this.config.dataDir });
    void this.stop().finally(() => process.exit(0));
  }

  /** A membership change was applied to Raft: connect to, update or drop the peer; stop if this one left. */
  onConfChangeApplied(change: ConfChange): void {
    if (change.nodeId === NONE) return;
    if (change.type === ConfChangeType.RemoveNode) {
      if (change.nodeId === this.memberId) {
        this.onRemovedFromCluster();
        return;
      }
      this.transport?.removePeer(change.nodeId);
      return;
    }
    if (change.nodeId === this.memberId) return;
    const member = Membership.member(this.parts.backend, change.nodeId);
    if (member !== undefined) this.transport?.addPeer(member.id, member.peerUrls);
  }

  // ---- proposals and reads ----

  /** Proposes a membership change and resolves once it is applied, or rejects with the apply-time refusal. */
  private async proposeConfChange(change: ConfChange): Promise<void> {
    if (this.stopping) throw Errors.Stopped;
    if (this.leaderId === NONE) throw Errors.NoLeader;
    const waiting = this.waits.register(change.id, requestTimeoutMs(this.config), Errors.Timeout);
    try {
      this.parts.raft.proposeConfChange(change);
    } catch (error) {
      // A leader refuses a second change while one is pending; etcd answers that with a timeout-like retry.
      this.waits.trigger(change.id, { ok: false, error: error instanceof ProposalDroppedError ? Errors.Unhealthy : Errors.NoLeader });
    }
    this.driver.schedule();
    await waiting;
  }

  /** Transfers leadership to `target` and resolves once it leads. */
  private async transferLeadership(target: bigint): Promise<void> {
    let wait: { target: bigint; resolve: () => void } | undefined;
    const led = new Promise<void>((resolve) => {
      wait = { target, resolve };
      this.leaderWaits.add(wait);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Errors.LeaderTransferTimeout), leaderTransferTimeoutMs);
    });
    try {
      this.parts.raft.transferLeadership(target);
      this.driver.schedule();
      await Promise.race([led, timedOut]);
    } finally {
      clearTimeout(timer);
      this.leaderWaits.delete(wait!);
    }
  }

  private requestReadIndex(context: Uint8Array): void {
    if (this.leaderId === NONE) throw Errors.NoLeader;
    this.parts.raft.readIndex(context);
    this.driver.schedule();
  }

  /** Proposes a request and resolves with its response once applied. */
  async propose(request: InternalRaftRequest): Promise<unknown> {
    return (await this.proposeForResult(request)).response;
  }

  /** Proposes a client request, as the gRPC layer decoded it, and resolves with its response once applied. */
  private async proposeClientRequest(request: ClientRequest, info: AuthInfo | undefined): Promise<unknown> {
    return (await this.proposeForResult(request, true, info)).response;
  }

  /**
   * Proposes a request and resolves with its whole apply result. `clientShaped`: the request has the complete
   * shape of a decoded message (every field present), so the applier may use it as it is instead of decoding
   * the entry again.
   */
  private async proposeForResult(request: InternalRaftRequest, clientShaped = false, info?: AuthInfo): Promise<ApplyResult> {
    if (this.stopping) throw Errors.Stopped;
    if (this.leaderId === NONE) throw Errors.NoLeader;
    if (this.waits.size >= proposalsPendingMax) throw Errors.TooManyRequests;
    const id = this.ids.next();
    // Who asked, and at which auth revision: the applier checks the permissions again against both.
    // The ID as a Long and the revision as a number: the encoder would parse decimal strings on every proposal.
    const header = { ID: uint64Long(id), username: info?.username ?? '', auth_revision: info?.revision ?? 0 };
    const data = clientShaped
      ? encodeProposedRequest({ ...request, header } as unknown as InternalRaftRequest__Output)
      : encodeInternalRequest({ ...request, header });
    if (data.length > this.config.requestBytesMax) throw Errors.RequestTooLarge;
    const startedMs = this.parts.clock();
    const waiting = this.waits.register(id, requestTimeoutMs(this.config), () => this.proposalTimeoutError(startedMs));
    try {
      this.parts.raft.propose(data);
    } catch (error) {
      this.waits.trigger(id, { ok: false, error: error instanceof EtcdError ? error : Errors.NoLeader });
      this.metrics.proposalsFailed.inc();
    }
    this.driver.schedule();
    return waiting;
  }

  /**
   * Why a proposal made at `startedMs` timed out, in etcd's words: a leader was elected while it waited (the
   * old one failed), the leader is known but its stream is down (connection lost), or plainly timed out.
   */
  private proposalTimeoutError(startedMs: number): EtcdError {
    const electedMs = this.leaderElectedMs;
    if (startedMs > electedMs - 2 * this.config.electionMs && startedMs < electedMs) return Errors.TimeoutDueToLeaderFail;
    const leader = this.leaderId;
    if (leader !== NONE && leader !== this.memberId && !this.transport?.peerStats().some((peer) => peer.id === leader && peer.active)) {
      return Errors.TimeoutDueToConnectionLost;
    }
    return Errors.Timeout;
  }

  /** Waits for a linearizable read point. */
  private async linearizableRead(): Promise<void> {
    if (this.stopping) throw Errors.Stopped;
    await this.reads.waitForLinearizableRead();
  }

  // ---- ServerApi ----

  header(revision = 0): ResponseHeader {
    return {
      cluster_id: this.clusterIdLong,
      member_id: this.memberIdLong,
      revision: revision === 0 ? this.applier.currentRevision() : revision,
      raft_term: this.currentTerm,
    };
  }

  async range(request: RangeRequest__Output, caller?: Caller): Promise<RangeResponse> {
    if (!request.serializable) await this.linearizableRead();
    this.metrics.rangeTotal.inc();
    const info = await this.authOps.resolve(caller);
    this.parts.auth.checkOperation(info, request.key, request.range_end, PermissionType.Read);
    const response = applyRange(this.applier.readView(), request);
    this.authOps.checkFresh(info);
    return response;
  }

  async put(request: PutRequest__Output, caller?: Caller): Promise<PutResponse> {
    const info = await this.authOps.resolve(caller);
    this.checkQuota(request.key.length + request.value.length);
    this.metrics.putTotal.inc();
    return (await this.proposeClientRequest({ put: request }, info)) as PutResponse;
  }

  async deleteRange(request: DeleteRangeRequest__Output, caller?: Caller): Promise<DeleteRangeResponse> {
    const info = await this.authOps.resolve(caller);
    this.metrics.deleteTotal.inc();
    return (await this.proposeClientRequest({ delete_range: request }, info)) as DeleteRangeResponse;
  }

  async txn(request: TxnRequest__Output, caller?: Caller): Promise<TxnResponse> {
    const info = await this.authOps.resolve(caller);
    this.metrics.txnTotal.inc();
    if (isReadOnlyTxn(request)) {
      // etcd serves read-only txns without the log: linearizable unless every range is serializable.
      if (!isSerializableTxn(request)) await this.linearizableRead();
      checkTxnPermitted(this.parts.auth, info, request);
      const response = this.applier.readOnlyTxn(request);
      this.authOps.checkFresh(info);
      return response;
    }
    this.checkQuota(0);
    return (await this.proposeClientRequest({ txn: request }, info)) as TxnResponse;
  }

  async authorizeWatch(caller: Caller | undefined, key: Uint8Array, rangeEnd: Uint8Array): Promise<void> {
    this.parts.auth.checkOperation(await this.authOps.resolve(caller), key, rangeEnd, PermissionType.Read);
  }

  async authorizeAdmin(caller: Caller | undefined): Promise<void> {
    await this.authOps.checkAdmin(caller);
  }

  async compact(request: CompactionRequest__Output): Promise<CompactionResponse> {
    const result = await this.proposeForResult({ compaction: request });
    if (request.physical && result.physicalDone) await result.physicalDone;
    return result.response as CompactionResponse;
  }

  async leaseGrant(request: LeaseGrantRequest__Output): Promise<LeaseGrantResponse> {
    this.checkQuota(0);
    let id = BigInt(request.ID);
    // etcd picks an ID from the request ID generator, keeping it positive as an int64.
    if (id === 0n) id = this.ids.next() & ((1n << 63n) - 1n);
    const ttl = Math.max(Number(request.TTL), leaseTtlSecondsMin(this.config.heartbeatMs, this.config.electionMs));
    return (await this.propose({ lease_grant: { ID: id.toString(), TTL: ttl } })) as LeaseGrantResponse;
  }

  async leaseRevoke(id: bigint, caller?: Caller): Promise<LeaseRevokeResponse> {
    const info = await this.authOps.resolve(caller);
    if (!this.applier.leaseExists(id)) throw Errors.LeaseNotFound;
    return (await this.proposeForResult({ lease_revoke: { ID: id.toString() } }, false, info)).response as LeaseRevokeResponse;
  }

  async leaseRenew(id: bigint): Promise<number> {
    if (this.leaderId === this.memberId) return this.applier.renewLease(id);
    if (this.leaderId === NONE) throw Errors.NoLeader;
    return this.leaderClient.renewLease(id);
  }

  async leaseTimeToLive(id: bigint, keys: boolean): Promise<LeaseTimeToLiveResponse> {
    // Only the leader's countdown is the real one; a follower's copy of the lease does not tick.
    if (this.leaderId !== this.memberId && this.leaderId !== NONE) return this.leaderClient.leaseTimeToLive(id, keys);
    return this.applier.leaseTimeToLive(id, keys);
  }

  async leaseLeases(): Promise<LeaseLeasesResponse> {
    return { header: {}, leases: this.applier.leaseIds().map((id) => ({ ID: id.toString() })) };
  }

  async alarm(request: AlarmRequest__Output): Promise<AlarmResponse> {
    if (request.action === 0) return { header: {}, alarms: this.applier.alarmList(request.alarm) };
    return (await this.propose({ alarm: request })) as AlarmResponse;
  }

  async status(): Promise<StatusResponse> {
    const size = this.parts.backend.size();
    return {
      header: {},
      version: etcdServerVersion,
      dbSize: size.totalBytes,
      dbSizeInUse: size.inUseBytes,
      leader: this.leaderId.toString(),
      raftIndex: this.committedIndex,
      raftTerm: this.currentTerm,
      raftAppliedIndex: this.applied.appliedIndex,
      errors: this.applier.alarmList(AlarmType.None).map((alarm) => `memberID:${String(alarm.memberID)} alarm:${alarmName(alarm.alarm as AlarmType)} `),
      isLearner: Membership.member(this.parts.backend, this.memberId)?.isLearner ?? false,
    };
  }

  async hash(): Promise<HashResponse> {
    return { header: {}, hash: this.applier.backendHash() };
  }

  async hashKV(revision: number): Promise<HashKVResponse> {
    const result = this.applier.hashKV(revision);
    return { header: { revision: result.currentRevision }, hash: result.hash, compact_revision: result.compactRevision, hash_revision: result.hashRevision };
  }

  async snapshot(): Promise<BackendSnapshot> {
    await this.parts.backend.sync();
    return this.parts.backend.snapshot();
  }

  async defragment(): Promise<void> {
    this.logger.info('starting defragment', {});
    await this.parts.backend.defragment();
    this.logger.info('finished defragment', {});
    this.updateSizeMetrics();
  }

  async memberList(): Promise<Member[]> {
    return Membership.members(this.parts.backend).map(toProtoMember);
  }

  async memberAdd(peerUrls: string[], isLearner: boolean): Promise<Member> {
    return toProtoMember(await this.clusterOps.add(peerUrls, isLearner));
  }

  async memberRemove(id: bigint): Promise<void> {
    await this.clusterOps.remove(id);
  }

  async memberUpdate(id: bigint, peerUrls: string[]): Promise<void> {
    await this.clusterOps.update(id, peerUrls);
  }

  async memberPromote(id: bigint): Promise<void> {
    if (this.leaderId !== this.memberId && this.leaderId !== NONE) return this.leaderClient.promote(id);
    await this.clusterOps.promote(id);
  }

  async moveLeader(target: bigint): Promise<void> {
    await this.clusterOps.moveLeader(target);
  }

  async health(): Promise<{ healthy: boolean; reason: string }> {
    if (this.leaderId === NONE) return { healthy: false, reason: 'RAFT NO LEADER' };
    const alarms = this.applier.alarmList(AlarmType.None);
    if (alarms.length > 0) return { healthy: false, reason: `ALARM ${alarms.map((alarm) => alarmName(alarm.alarm as AlarmType)).join(',')}` };
    try {
      await this.linearizableRead();
    } catch (error) {
      return { healthy: false, reason: `QGET ERROR:${(error as Error).message}` };
    }
    return { healthy: true, reason: '' };
  }

  // ---- background duties ----

  /** Refuses writes while NOSPACE is raised; raises it when the backend has outgrown its quota. */
  private checkQuota(extraBytes: number): void {
    if (this.applier.hasAlarm(AlarmType.NoSpace)) throw Errors.NoSpace;
    const quota = this.config.quotaBackendBytes;
    if (this.backendTotalBytes + extraBytes <= quota) return;
    this.logger.warn('database space exceeded', { 'quota-size-bytes': quota });
    void this.propose({ alarm: { action: 1, memberID: this.memberId.toString(), alarm: AlarmType.NoSpace } }).catch(() => undefined);
    throw Errors.NoSpace;
  }

  private expireLeases(): void {
    if (this.leaderId !== this.memberId || this.stopping) return;
    // The member revokes expired leases as root, as etcd does, so that auth never keeps an expired lease alive.
    const asRoot = { username: rootUser, revision: this.parts.auth.revision() };
    for (const id of this.applier.expiredLeases()) {
      this.proposeForResult({ lease_revoke: { ID: id.toString() } }, false, asRoot).catch((error: Error) =>
        this.logger.warn('failed to revoke an expired lease', { 'lease-id': id, error: error.message }),
      );
    }
  }

  private checkpointLeases(): void {
    if (this.leaderId !== this.memberId || this.stopping) return;
    const checkpoints = this.applier.leaseCheckpoints();
    if (checkpoints.length === 0) return;
    this.propose({ lease_checkpoint: { checkpoints: checkpoints.map(({ id, remainingTtl }) => ({ ID: id.toString(), remaining_TTL: remainingTtl })) } }).catch(() => undefined);
  }

  /** On a graceful stop the leader records every lease's remaining TTL, so a restart resumes the countdown. */
  private async checkpointAllLeases(): Promise<void> {
    if (this.leaderId !== this.memberId) return;
    const checkpoints = this.applier.leaseIds().map((id) => ({ ID: id.toString(), remaining_TTL: Number(this.applier.leaseTimeToLive(id, false).TTL) }));
    if (checkpoints.length === 0) return;
    await this.propose({ lease_checkpoint: { checkpoints } }).catch((error: Error) =>
      this.logger.warn('failed to checkpoint leases before stopping', { error: error.message }),
    );
  }

  private async syncBackend(): Promise<void> {
    if (this.stopping) return;
    const syncedIndex = this.applied.appliedIndex;
    const started = performance.now();
    await this.parts.backend.sync();
    this.metrics.backendCommitSeconds.observe((performance.now() - started) / 1000);
    await this.parts.storage.onBackendSynced(syncedIndex);
  }

  private updateSizeMetrics(): void {
    if (this.stopping) return;
    const size = this.parts.backend.size();
    this.metrics.dbTotalSizeBytes.set(size.totalBytes);
    this.metrics.dbInUseSizeBytes.set(size.inUseBytes);
    this.metrics.currentRevision.set(this.applier.currentRevision());
    this.metrics.compactRevision.set(this.applier.compactedRevision());
  }
}


function isSerializableTxn(request: TxnRequest__Output): boolean {
  return [...request.success, ...request.failure].every((operation) =>
    operation.request === 'request_range'
      ? operation.request_range!.serializable
      : operation.request === 'request_txn' && operation.request_txn
        ? isSerializableTxn(operation.request_txn)
        : false,
  );
}
