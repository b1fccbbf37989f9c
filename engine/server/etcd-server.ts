// One member: it owns the Raft node, the write-ahead log, the backend, the MVCC store and the lessor, and
// turns client requests into proposals (writes), ReadIndex rounds (linearizable reads) or local reads
// (serializable). Everything that changes state is applied from the log by the Applier, so a member's state
// is a pure function of its log.
//
// This class wires the member's modules together and runs its life cycle (start, readiness, publish, stop).
// The work itself lives in the modules: the Raft host (raft-host.ts) handles Ready cycles, Proposals
// (proposals.ts) proposes and waits, the peer host (peer-host.ts) takes peer traffic, the client API
// (member-api.ts) serves the gRPC services and the gateway, and the background duties
// (background-duties.ts) run the timers. They share what the member knows in one MemberState.
import { uint64Long } from '../proto/uint64.ts';
import { Errors } from '../common/errors.ts';
import { etcdServerVersion } from '../common/version.ts';
import type { ConfChange } from '../raft/types.ts';
import { NONE } from '../raft/types.ts';
import { bcryptCostDefault } from '../auth/password-hash.ts';
import { AuthOps } from './auth-ops.ts';
import { requestTimeoutMs } from './server-config.ts';
import { WaitRegistry } from './wait.ts';
import { RequestIdGenerator } from './ids.ts';
import { RaftDriver } from './raft-driver.ts';
import { ReadIndexCoordinator } from './read-index.ts';
import { AppliedIndexWait } from './applied-index-wait.ts';
import type { ApplyResult } from './applier.ts';
import { Membership } from './membership.ts';
import { ClusterOps } from './cluster-ops.ts';
import { LeaderClient } from './leader-client.ts';
import { MemberState } from './member-state.ts';
import { RaftHost } from './raft-host.ts';
import { Proposals } from './proposals.ts';
import { PeerHost } from './peer-host.ts';
import { BackgroundDuties } from './background-duties.ts';
import { MemberApi } from './member-api.ts';
import type { PeerLinks, ServerParts } from './server-parts.ts';

// Where these types were first defined; importers may keep naming this module.
export type { PeerLinks, ServerParts, ServerRaft } from './server-parts.ts';

/** A member, wired from its parts. */
export class EtcdServer {
  /** The client API (gRPC services, JSON gateway). */
  readonly api: MemberApi;
  /** The peer transport's host (engine/embed's peer links). */
  readonly peerHost: PeerHost;
  private readonly state: MemberState;
  private readonly applied: AppliedIndexWait;
  private readonly waits = new WaitRegistry<ApplyResult>();
  private readonly reads: ReadIndexCoordinator;
  private readonly raftHost: RaftHost;
  private readonly driver: RaftDriver;
  private readonly proposals: Proposals;
  private readonly duties: BackgroundDuties;
  private readonly leaderClient: LeaderClient;

  constructor(private readonly parts: ServerParts) {
    const state = new MemberState(parts.memberId);
    state.backendTotalBytes = parts.backend.size().totalBytes;
    this.state = state;
    this.applied = new AppliedIndexWait(parts.appliedIndex);
    const receivedBackends = new Map<number, string>();
    const ids = new RequestIdGenerator(parts.memberId, parts.clock());
    this.reads = new ReadIndexCoordinator(
      { requestReadIndex: (context) => this.proposals.requestReadIndex(context), nextRequestId: () => ids.next(), appliedIndex: () => this.applied.appliedIndex },
      requestTimeoutMs(parts.config),
    );
    this.raftHost = new RaftHost({
      ...parts,
      state,
      applied: this.applied,
      reads: this.reads,
      waits: this.waits,
      receivedBackends,
      onRemovedFromCluster: () => this.peerHost.onRemovedFromCluster(),
      stopMember: () => this.stop(),
    });
    this.driver = new RaftDriver(parts.raft, this.raftHost, parts.config.heartbeatMs);
    this.proposals = new Proposals({
      ...parts,
      state,
      driver: this.driver,
      reads: this.reads,
      waits: this.waits,
      ids,
      isPeerActive: (id) => this.raftHost.transport?.peerStats().some((peer) => peer.id === id && peer.active) ?? false,
    });
    this.peerHost = new PeerHost({ ...parts, state, driver: this.driver, receivedBackends, snapshot: () => this.api.snapshot(), stopMember: () => this.stop() });
    parts.metrics.serverId.set({ server_id: this.memberId.toString(16) }, 1);
    parts.metrics.serverVersion.set({ server_version: etcdServerVersion }, 1);
    parts.metrics.quotaBackendBytes.set(parts.config.quotaBackendBytes);
    this.duties = new BackgroundDuties({
      ...parts,
      state,
      applied: this.applied,
      proposals: this.proposals,
      compact: (request) => this.api.compact(request),
    });
    this.leaderClient = new LeaderClient(
      () => (state.leaderId === NONE ? undefined : Membership.member(parts.backend, state.leaderId)?.clientUrls[0]),
      () => parts.config.leaderClientTls,
    );
    this.api = this.createApi(ids);
  }

  /** The client API and the auth and membership operations behind it. */
  private createApi(ids: RequestIdGenerator): MemberApi {
    const parts = this.parts;
    const state = this.state;
    const authOps = new AuthOps({
      auth: parts.auth,
      tokens: parts.tokens,
      bcryptCost: parts.config.bcryptCost ?? bcryptCostDefault,
      logger: parts.logger,
      propose: (request, info) => this.proposals.proposeForResult(request, false, info).then((result) => result.response),
      linearizableRead: () => this.proposals.linearizableRead(),
      requestTimeoutMs: requestTimeoutMs(parts.config),
      waitApplied: (index, timeoutMs) => this.applied.waitWithin(index, timeoutMs),
      certificateIdentity: parts.config.clientCertAuth === true,
    });
    const clusterOps = new ClusterOps(
      {
        memberId: parts.memberId,
        members: () => Membership.members(parts.backend),
        leaderId: () => state.leaderId,
        raftStatus: () => parts.raft.status(),
        peerActiveSinceMs: (id) => this.raftHost.transport?.peerStats().find((peer) => peer.id === id)?.activeSinceMs,
        strictReconfigCheck: parts.config.strictReconfigCheck,
        proposeConfChange: (change) => this.proposals.proposeConfChange(change),
        transferLeadership: (target) => this.proposals.transferLeadership(target),
        nextRequestId: () => ids.next(),
        clock: parts.clock,
      },
      parts.clusterId,
    );
    return new MemberApi({
      ...parts,
      state,
      proposals: this.proposals,
      authOps,
      clusterOps,
      leaderClient: this.leaderClient,
      applied: this.applied,
      ids,
      duties: this.duties,
      memberIdLong: uint64Long(parts.memberId),
      clusterIdLong: uint64Long(parts.clusterId),
    });
  }

  /** Connects the member to its peers; call once, before start(). */
  attachTransport(transport: PeerLinks): void {
    this.raftHost.attachTransport(transport, this.parts.initialPeers);
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
    this.duties.start();
  }

  /** Resolves once this member knows a leader and has applied everything committed at start. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = this.parts.clock() + timeoutMs;
    while (this.state.leaderId === NONE || this.applied.appliedIndex < this.state.committedIndex) {
      if (this.parts.clock() > deadline) throw Errors.Timeout;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Publishes this member's name and client URLs through the log, so MemberList shows them everywhere. */
  async publish(name: string, clientUrls: string[]): Promise<void> {
    await this.proposals.propose({ cluster_member_attr_set: { member_ID: this.memberId.toString(), member_attributes: { name, client_urls: clientUrls } } });
    this.parts.logger.info('published local member to cluster through raft', {
      'local-member-id': this.memberId,
      'local-member-attributes': `{Name:${name} ClientURLs:[${clientUrls.join(' ')}]}`,
      'cluster-id': this.clusterId,
    });
  }

  /** A membership change was applied to Raft (the applier's callback, wired by bootstrap.ts). */
  onConfChangeApplied(change: ConfChange): void {
    this.raftHost.onConfChangeApplied(change);
  }

  /** Stops serving, flushes the backend and closes storage. */
  async stop(): Promise<void> {
    if (this.state.stopping) return;
    await this.duties.checkpointAllLeases();
    this.state.stopping = true;
    this.duties.stop();
    this.driver.stop();
    this.waits.rejectAll(Errors.Stopped);
    this.reads.rejectAll(Errors.Stopped);
    this.parts.watchHub.close();
    this.leaderClient.close();
    await this.parts.backend.sync();
    await this.parts.storage.close();
    await this.parts.backend.close();
  }
}
