// The peer transport's host: what the member does with traffic from its peers. Messages are stepped into Raft,
// delivery failures and snapshot outcomes are reported to it, a snapshot's backend is served to a lagging
// follower and received from the leader, and the peer port's membership questions are answered from the
// membership as applied. The Raft host does the other half (sending, and following membership changes).
import type { Logger } from '../common/logger.ts';
import { peerSnapshotChunkBytesMax } from '../common/limits.ts';
import { StepPeerNotFoundError } from '../raft/index.ts';
import type { Message } from '../raft/types.ts';
import type { Backend, BackendSnapshot } from '../storage/backend/backend.ts';
import type { PeerMemberDocument } from './join-cluster.ts';
import type { MemberState } from './member-state.ts';
import { Membership } from './membership.ts';
import type { RaftDriver } from './raft-driver.ts';
import type { ServerConfig } from './server-config.ts';
import type { ServerRaft } from './server-parts.ts';

/** What the peer host needs from the member. */
export interface PeerHostParts {
  state: MemberState;
  config: ServerConfig;
  logger: Logger;
  raft: ServerRaft;
  driver: RaftDriver;
  backend: Backend;
  /** Backends that arrived with snapshot messages, by snapshot index, until Raft hands the snapshot back. */
  receivedBackends: Map<number, string>;
  /** A consistent copy of the backend (the one Maintenance.Snapshot streams). */
  snapshot(): Promise<BackendSnapshot>;
  /** Stops the member (it was removed from the cluster). */
  stopMember(): Promise<void>;
}

/** Receives peer traffic for the member. */
export class PeerHost {
  // Held directly: every append a follower receives passes through stepPeerMessage.
  private readonly state: MemberState;
  private readonly raft: ServerRaft;
  private readonly driver: RaftDriver;

  constructor(private readonly parts: PeerHostParts) {
    this.state = parts.state;
    this.raft = parts.raft;
    this.driver = parts.driver;
  }

  /** A message from a peer, for Raft. */
  stepPeerMessage(message: Message): void {
    if (this.state.stopping) return;
    try {
      this.raft.step(message);
    } catch (error) {
      // Responses from members this one no longer knows, and the like, are stale rather than harmful.
      if (!(error instanceof StepPeerNotFoundError)) throw error;
    }
    this.driver.schedule();
  }

  /** The transport could not deliver to `id`: Raft stops streaming to it optimistically. */
  reportUnreachable(id: bigint): void {
    if (this.state.stopping) return;
    this.raft.reportUnreachable(id);
    this.driver.schedule();
  }

  /** How sending a snapshot to `id` ended. */
  reportSnapshotStatus(id: bigint, ok: boolean): void {
    if (this.state.stopping) return;
    this.raft.reportSnapshot(id, !ok);
    this.driver.schedule();
  }

  /**
   * A snapshot message whose backend arrived complete in `payloadFile`: the message goes to Raft, which hands
   * the snapshot back in a Ready; persisting it moves the file beside the snapshot record, and applying it
   * installs the backend.
   */
  receiveSnapshot(message: Message, payloadFile: string): void {
    const index = message.snapshot?.metadata.index ?? 0;
    this.parts.receivedBackends.set(index, payloadFile);
    this.parts.logger.info('received snapshot backend', { 'snapshot-index': index, from: message.from.toString(16) });
    this.stepPeerMessage(message);
  }

  /**
   * The backend copy that travels with a snapshot message to a lagging follower, read in chunks of a peer
   * frame's size: at a client stream's 32 KiB, reads and socket drains paced the transfer at half the speed.
   */
  async *snapshotPayload(_message: Message): AsyncIterable<Uint8Array> {
    const copy = await this.parts.snapshot();
    try {
      yield* copy.chunks(peerSnapshotChunkBytesMax);
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
    if (this.state.stopping) return;
    this.parts.logger.warn('the member has been permanently removed from the cluster', { 'local-member-id': this.state.memberId });
    this.parts.logger.warn('the data-dir used by this member must be removed', { 'data-dir': this.parts.config.dataDir });
    void this.parts.stopMember().finally(() => process.exit(0));
  }
}
