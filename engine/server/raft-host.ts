// The RaftDriver's host: where each part of a Ready goes. It persists hard state and entries, sends messages
// through the peer transport, installs snapshots and applies committed entries (settling the proposals that wait
// for them), keeps the transport's peers in line with the membership as it is applied, and records what Raft
// says about the leader and the term in the MemberState everyone else reads.
import { Errors } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { ConfChangeType } from '../raft/index.ts';
import { MessageType, NONE, StateType } from '../raft/types.ts';
import type { ConfChange, Entry, HardState, Message, ReadState, Snapshot, SoftState } from '../raft/types.ts';
import type { Backend } from '../storage/backend/backend.ts';
import type { AppliedIndexWait } from './applied-index-wait.ts';
import type { Applier, ApplyResult } from './applier.ts';
import type { MemberState } from './member-state.ts';
import type { MemberStorage } from './member-storage.ts';
import { Membership } from './membership.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RaftDriverHost } from './raft-driver.ts';
import type { ReadIndexCoordinator } from './read-index.ts';
import type { PeerLinks, ServerParts } from './server-parts.ts';
import type { WaitRegistry } from './wait.ts';

/** What the Raft host needs from the member. */
export interface RaftHostParts extends Pick<ServerParts, 'storage' | 'backend' | 'applier' | 'metrics' | 'logger' | 'clock' | 'installSnapshotBackend'> {
  state: MemberState;
  applied: AppliedIndexWait;
  reads: ReadIndexCoordinator;
  /** Shared with Proposals: applying an entry settles the proposal waiting for it. */
  waits: WaitRegistry<ApplyResult>;
  /** Backends that arrived with snapshot messages, by snapshot index (filled by the peer host). */
  receivedBackends: Map<number, string>;
  /** This member's own removal was applied: it stops, as when a peer says it was removed. */
  onRemovedFromCluster(): void;
  /** Stops the member (after a storage failure). */
  stopMember(): Promise<void>;
}

/** Handles Ready cycles for the RaftDriver, and owns the member's link to its peers. */
export class RaftHost implements RaftDriverHost {
  /** The peer transport (none until attached; a member started without one has no peers to reach). */
  transport: PeerLinks | undefined;
  private readonly state: MemberState;
  private readonly applied: AppliedIndexWait;
  private readonly reads: ReadIndexCoordinator;
  private readonly waits: WaitRegistry<ApplyResult>;
  private readonly receivedBackends: Map<number, string>;
  private readonly storage: MemberStorage;
  private readonly backend: Backend;
  private readonly applier: Applier;
  private readonly metrics: ServerMetrics;
  private readonly logger: Logger;

  constructor(private readonly parts: RaftHostParts) {
    this.state = parts.state;
    this.applied = parts.applied;
    this.reads = parts.reads;
    this.waits = parts.waits;
    this.receivedBackends = parts.receivedBackends;
    this.storage = parts.storage;
    this.backend = parts.backend;
    this.applier = parts.applier;
    this.metrics = parts.metrics;
    this.logger = parts.logger;
  }

  /** Connects to `transport` and to the peers known at start. */
  attachTransport(transport: PeerLinks, initialPeers: ServerParts['initialPeers']): void {
    this.transport = transport;
    for (const peer of initialPeers) if (peer.id !== this.state.memberId) transport.addPeer(peer.id, peer.peerUrls);
  }

  /** Persists a Ready's durable parts. */
  async persist(hardState: HardState | undefined, entries: Entry[], snapshot: Snapshot | undefined, sync: boolean): Promise<void> {
    const started = performance.now();
    const backendCopy = snapshot === undefined ? undefined : this.receivedBackends.get(snapshot.metadata.index);
    if (snapshot !== undefined && backendCopy === undefined) throw new Error(`no backend arrived with the snapshot at index ${snapshot.metadata.index}`);
    await this.storage.save(hardState, entries, snapshot, sync, backendCopy);
    if (snapshot !== undefined) this.receivedBackends.clear();
    if (sync) this.metrics.walFsyncSeconds.observe((performance.now() - started) / 1000);
    if (hardState) {
      this.state.currentTerm = hardState.term;
      this.state.committedIndex = Math.max(this.state.committedIndex, hardState.commit);
      this.metrics.proposalsCommitted.set(this.state.committedIndex);
    }
  }

  /** Sends peer messages through the transport (a member started without one has no peers to reach). */
  send(messages: Message[]): void {
    if (messages.length === 0) return;
    for (let i = 0; i < messages.length; i++) {
      const snapshot = messages[i].snapshot;
      if (messages[i].type !== MessageType.Snap || !snapshot) continue;
      const metadata = this.storage.mergedSnapshotMetadata(snapshot.metadata, this.applied.appliedIndex);
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
    const appliedIndex = await this.parts.installSnapshotBackend(this.storage.snapshotBackendPath(term, index));
    if (appliedIndex < index) throw new Error(`the backend received with snapshot ${index} has only applied up to ${appliedIndex}`);
    this.applied.advance(appliedIndex);
    this.state.backendTotalBytes = this.backend.size().totalBytes;
    this.syncPeersWithMembership();
    this.reads.onApplied(this.applied.appliedIndex);
    this.logger.info('applied snapshot', { 'snapshot-index': index, 'applied-index': appliedIndex });
  }

  /** Connects to every member the membership lists and drops peers it no longer has. */
  private syncPeersWithMembership(): void {
    if (this.transport === undefined) return;
    const members = Membership.members(this.backend).filter((member) => member.id !== this.state.memberId);
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
      this.state.backendTotalBytes = this.backend.size().totalBytes;
    }
    this.metrics.proposalsApplied.set(this.applied.appliedIndex);
    this.metrics.proposalsPending.set(this.waits.size);
    this.reads.onApplied(this.applied.appliedIndex);
  }

  /** A membership change was applied to Raft: connect to, update or drop the peer; stop if this one left. */
  onConfChangeApplied(change: ConfChange): void {
    if (change.nodeId === NONE) return;
    if (change.type === ConfChangeType.RemoveNode) {
      if (change.nodeId === this.state.memberId) {
        this.parts.onRemovedFromCluster();
        return;
      }
      this.transport?.removePeer(change.nodeId);
      return;
    }
    if (change.nodeId === this.state.memberId) return;
    const member = Membership.member(this.backend, change.nodeId);
    if (member !== undefined) this.transport?.addPeer(member.id, member.peerUrls);
  }

  /** Tracks the leader. */
  onSoftState(softState: SoftState): void {
    const state = this.state;
    const previous = state.leaderId;
    state.leaderId = softState.lead;
    for (const wait of state.leaderWaits) if (wait.target === softState.lead) wait.resolve();
    if (previous !== softState.lead && softState.lead !== NONE) state.leaderElectedMs = this.parts.clock();
    // A read point asked of the old leader may never be answered; etcd fails such reads at once.
    if (previous !== NONE && previous !== softState.lead) this.reads.rejectInFlight(Errors.LeaderChanged);
    this.metrics.hasLeader.set(softState.lead === NONE ? 0 : 1);
    this.metrics.isLeader.set(softState.raftState === StateType.Leader ? 1 : 0);
    if (previous !== softState.lead) {
      if (softState.lead !== NONE) {
        this.metrics.leaderChanges.inc();
        this.logger.info(previous === NONE ? 'raft.node: elected leader' : 'raft.node: changed leader', {
          'local-member-id': state.memberId,
          'leader-id': softState.lead,
          term: state.currentTerm,
        });
      } else {
        this.logger.info('raft.node: lost leader', { 'local-member-id': state.memberId, term: state.currentTerm });
      }
    }
    this.applier.setPrimary(softState.raftState === StateType.Leader);
  }

  /** Releases linearizable reads. */
  onReadStates(states: ReadState[]): void {
    for (const state of states) this.reads.onReadState(state.requestContext, state.index);
  }

  /** A storage failure: stop before the member can diverge from its log. */
  onFatal(error: Error): void {
    this.logger.error('member stopped after a storage failure', { error: error.message });
    void this.parts.stopMember().finally(() => process.exit(1));
  }
}
