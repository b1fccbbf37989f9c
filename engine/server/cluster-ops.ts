// The Cluster API's membership changes and Maintenance.MoveLeader, with etcd's checks and errors. A change is
// proposed as a Raft conf change carrying the member record, and answered once the change is applied here;
// the applier checks it again against the membership as applied, since concurrent proposals can both pass the
// checks below. As in etcd, learners must catch up before promotion, and --strict-reconfig-check refuses
// changes that would leave the cluster without a quorum of started members or of members this one has been
// connected to for a while.
import { createHash } from 'node:crypto';
import { Errors } from '../common/errors.ts';
import { learnersMax, learnerReadyPercent, memberHealthIntervalMs } from '../common/limits.ts';
import { ConfChangeType, NONE, type ConfChange, type NodeId } from '../raft/types.ts';
import type { Status } from '../raft/status.ts';
import { encodeMember, type MemberInfo } from './membership.ts';

/** What the operations need from the member. */
export interface ClusterOpsHost {
  memberId: bigint;
  /** Current members, as applied. */
  members(): MemberInfo[];
  leaderId(): bigint;
  raftStatus(): Status;
  /** Since when (wall-clock ms) the stream to peer `id` has been up; undefined while it is down. */
  peerActiveSinceMs(id: bigint): number | undefined;
  strictReconfigCheck: boolean;
  /** Proposes a conf change and resolves when it is applied (rejects with the applier's refusal). */
  proposeConfChange(change: ConfChange): Promise<void>;
  /** Asks Raft to transfer leadership, and resolves when `target` leads (rejects on timeout). */
  transferLeadership(target: bigint): Promise<void>;
  /** A fresh unique ID for the conf change's waiter. */
  nextRequestId(): bigint;
  /** Wall-clock milliseconds. */
  clock(): number;
}

/** Validates peer URLs as etcd does: absolute http(s) URLs with a host and a port, no path. */
export function validatePeerUrls(urls: readonly string[]): string[] {
  if (urls.length === 0) throw Errors.MemberBadURLs;
  return urls.map((text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw Errors.MemberBadURLs;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.port === '' || (url.pathname !== '/' && url.pathname !== '')) {
      throw Errors.MemberBadURLs;
    }
    return text;
  });
}

/** A new member's ID, as etcd derives it: from its peer URLs, the cluster and the time of the request. */
export function newMemberId(peerUrls: readonly string[], clusterId: bigint, nowMs: number): bigint {
  const hash = createHash('sha1');
  for (const url of [...peerUrls].sort()) hash.update(url);
  hash.update(clusterId.toString(16));
  hash.update(String(nowMs));
  const id = hash.digest().readBigUInt64BE(0);
  return id === 0n ? 1n : id;
}

/** The membership operations of one member. */
export class ClusterOps {
  constructor(
    private readonly host: ClusterOpsHost,
    private readonly clusterId: bigint,
  ) {}

  /** MemberAdd: adds a voter or a learner; resolves with the new member once the change is applied. */
  async add(peerUrls: readonly string[], isLearner: boolean): Promise<MemberInfo> {
    const urls = validatePeerUrls(peerUrls);
    const members = this.host.members();
    if (members.some((member) => member.peerUrls.some((url) => urls.includes(url)))) throw Errors.PeerURLExist;
    if (isLearner && members.filter((member) => member.isLearner).length >= learnersMax) throw Errors.TooManyLearners;
    if (this.host.strictReconfigCheck) {
      if (!isLearner && !this.readyToAddVoter()) throw Errors.MemberNotEnoughStarted;
      if (this.connectedVoters() < this.voters().length) throw Errors.Unhealthy;
    }
    const member: MemberInfo = { id: newMemberId(urls, this.clusterId, this.host.clock()), name: '', peerUrls: urls, clientUrls: [], isLearner };
    await this.host.proposeConfChange({
      id: this.host.nextRequestId(),
      type: isLearner ? ConfChangeType.AddLearnerNode : ConfChangeType.AddNode,
      nodeId: member.id,
      context: encodeMember(member),
    });
    return member;
  }

  /** MemberRemove. */
  async remove(id: bigint): Promise<void> {
    const member = this.existing(id);
    if (this.host.strictReconfigCheck && !member.isLearner) this.checkVoterRemoval(id);
    await this.host.proposeConfChange({ id: this.host.nextRequestId(), type: ConfChangeType.RemoveNode, nodeId: id });
  }

  /** MemberUpdate: new peer URLs for a member. */
  async update(id: bigint, peerUrls: readonly string[]): Promise<void> {
    const urls = validatePeerUrls(peerUrls);
    const member = this.existing(id);
    if (this.host.members().some((other) => other.id !== id && other.peerUrls.some((url) => urls.includes(url)))) throw Errors.PeerURLExist;
    await this.host.proposeConfChange({ id: this.host.nextRequestId(), type: ConfChangeType.UpdateNode, nodeId: id, context: encodeMember({ ...member, peerUrls: urls }) });
  }

  /** MemberPromote: a learner becomes a voter once its log has caught up with the leader's. */
  async promote(id: bigint): Promise<void> {
    const member = this.existing(id);
    if (!member.isLearner) throw Errors.MemberNotLearner;
    // Only the leader knows how far a learner has come; etcd forwards promotions to it.
    const status = this.host.raftStatus();
    if (status.progress === undefined) throw Errors.NotLeader;
    const learnerMatch = status.progress.get(id)?.match;
    const leaderMatch = status.progress.get(status.id)?.match ?? 0;
    if (learnerMatch !== undefined && learnerMatch * 100 < leaderMatch * learnerReadyPercent) throw Errors.LearnerNotReady;
    if (this.host.strictReconfigCheck && !this.readyToPromote()) throw Errors.MemberNotEnoughStarted;
    await this.host.proposeConfChange({ id: this.host.nextRequestId(), type: ConfChangeType.AddNode, nodeId: id, context: encodeMember({ ...member, isLearner: false }) });
  }

  /** MoveLeader: the leader hands leadership to a voting member. */
  async moveLeader(target: bigint): Promise<void> {
    if (this.host.leaderId() !== this.host.memberId) throw Errors.NotLeader;
    const member = this.host.members().find((candidate) => candidate.id === target);
    if (member === undefined || member.isLearner) throw Errors.BadLeaderTransferee;
    if (target === this.host.memberId) return;
    await this.host.transferLeadership(target);
  }

  private existing(id: NodeId): MemberInfo {
    const member = this.host.members().find((candidate) => candidate.id === id);
    if (member === undefined || id === NONE) throw Errors.MemberNotFound;
    return member;
  }

  private voters(): MemberInfo[] {
    return this.host.members().filter((member) => !member.isLearner);
  }

  // --strict-reconfig-check, as etcd does it. A member is "started" once it has published its name; a peer is
  // "connected" when its stream has been up for a whole health interval (a link that just came back may fail
  // again). The new member of an add, and the learner of a promotion, count toward the quorum they change.

  /** Enough started voters for a quorum once one more voter joins (a 1-member cluster may always grow). */
  private readyToAddVoter(): boolean {
    const voters = this.voters();
    const started = voters.filter((member) => member.name !== '').length;
    const members = voters.length + 1;
    if (started === 1 && members === 2) return true;
    return started >= Math.floor(members / 2) + 1;
  }

  /** Enough started voters for a quorum with the learner promoted (counted as started). */
  private readyToPromote(): boolean {
    const voters = this.voters();
    return voters.filter((member) => member.name !== '').length + 1 >= Math.floor((voters.length + 1) / 2) + 1;
  }

  /** Refuses a voter's removal that would leave too few started, or too few connected, voters. */
  private checkVoterRemoval(id: bigint): void {
    const others = this.voters().filter((member) => member.id !== id);
    if (others.filter((member) => member.name !== '').length < Math.floor(others.length / 2) + 1) throw Errors.MemberNotEnoughStarted;
    // A member that is down is not part of the active quorum: removing it is safe.
    if (id !== this.host.memberId && this.host.peerActiveSinceMs(id) === undefined) return;
    const voters = this.voters();
    if (this.connectedVoters() - 1 < 1 + Math.floor((voters.length - 1) / 2)) throw Errors.Unhealthy;
  }

  /** Voters this member has been connected to for a whole health interval (itself included). */
  private connectedVoters(): number {
    const since = this.host.clock() - memberHealthIntervalMs;
    return this.voters().filter((member) => {
      if (member.id === this.host.memberId) return true;
      const activeSince = this.host.peerActiveSinceMs(member.id);
      return activeSince !== undefined && activeSince < since;
    }).length;
  }
}
