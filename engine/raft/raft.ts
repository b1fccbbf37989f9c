// The Raft state machine of one member (internal: the public API is RaftNode). It is synchronous and pure:
// inputs are tick(), step(message) and the acknowledgements RaftNode passes on from advance(); outputs are the
// messages, log changes and read states that RaftNode gathers into a Ready.
// It is the one long file of the package on purpose: term handling, voting, state transitions and the rules
// shared by all roles are one algorithm; what differs per role lives in raft-leader.ts and raft-follower.ts.
import { assert, AssertionError } from '../common/assert.ts';
import { type ResolvedRaftConfig, type RaftConfig, ReadOnlyOption, resolveRaftConfig } from './config.ts';
import { changerInput, type ConfigAndProgress, computeConfChange, restoreConfState } from './confchange.ts';
import { CompactedError, ProposalDroppedError, SnapshotTemporarilyUnavailableError } from './errors.ts';
import { RaftLog } from './log.ts';
import { ProgressState } from './progress.ts';
import { ReadOnly } from './read-only.ts';
import { describeTrackerConfig, ProgressTracker } from './tracker.ts';
import { VoteResult } from './quorum.ts';
import {
  type ConfChangeV2,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Message,
  MessageType,
  NONE,
  type NodeId,
  type ReadState,
  type SoftState,
  StateType,
} from './types.ts';
import { bytesEqual, entriesSizeBytes, isEmptySnapshot, makeMessage, messageName, voteResponseType } from './util.ts';

/** Why a member campaigns. */
export enum CampaignType {
  /** The first phase when pre-vote is on: ask without incrementing the term. */
  PreElection = 0,
  /** A normal election. */
  Election = 1,
  /** An election ordered by the leader (MsgTimeoutNow): voters ignore their leader lease for it. */
  Transfer = 2,
}

/** The context of vote requests for a leadership transfer (etcd sends the same bytes). */
export const campaignTransferContext = new TextEncoder().encode('CampaignTransfer');

/** An entry as proposed: term and index are assigned when the leader appends it. */
export interface ProposedEntry {
  type: EntryType;
  data: Uint8Array;
}

/** How each role handles the messages that are not common to all roles (raft-leader.ts, raft-follower.ts). */
export interface RoleHandlers {
  leader(r: Raft, message: Message): void;
  follower(r: Raft, message: Message): void;
  /** Candidates and pre-candidates. */
  candidate(r: Raft, message: Message): void;
}

/** The Raft algorithm for one member. Internal to engine/raft: use RaftNode (or newRaft in tests). */
export class Raft {
  readonly id: NodeId;
  readonly config: ResolvedRaftConfig;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  state: StateType = StateType.Follower;
  isLearner = false;
  /** Messages to send with the next Ready. */
  messages: Message[] = [];
  /** ReadIndex answers for the next Ready. */
  readStates: ReadState[] = [];
  /** The transfer target while a leadership transfer is in progress. */
  leadTransferee: NodeId = NONE;
  /** >= the index of the latest conf change in the log; a new one is accepted only once this is applied. */
  pendingConfIndex = 0;
  /** Conf changes up to this index were applied to the tracker directly (bootstrap), not through the apply path. */
  confAppliedIndex = 0;
  /** Payload bytes of uncommitted entries appended by this leader. */
  uncommittedBytes = 0;
  readOnly = new ReadOnly();
  /** ReadIndex requests that wait until this leader has committed an entry of its own term. */
  pendingReadIndexMessages: Message[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  /** An explicit campaign waits for committed conf changes to be applied (a restarted member's configuration). */
  campaignDeferred = false;

  /** The role handlers are injected so that they can depend on this class without a module cycle. */
  constructor(
    rawConfig: RaftConfig,
    private readonly roles: RoleHandlers,
  ) {
    this.config = resolveRaftConfig(rawConfig);
    this.id = this.config.id;
    this.log = new RaftLog(this.config.storage, this.config.maxCommittedSizePerReadyBytes);
    this.tracker = new ProgressTracker(this.config.maxInflightMessages, this.config.maxInflightBytes);
    const { hardState, confState } = this.config.storage.initialState();
    this.switchToConfig(restoreConfState(this.tracker, this.log.lastIndex(), confState));
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) this.loadState(hardState);
    if (this.config.applied > 0) this.log.appliedTo(this.config.applied);
    this.becomeFollower(this.term, NONE);
    this.info(
      `newRaft ${this.id} [peers: [${this.tracker.voterIds().join(',')}], term: ${this.term}, commit: ${this.log.committed}, ` +
        `applied: ${this.log.applied}, lastindex: ${this.log.lastIndex()}, lastterm: ${this.log.lastTerm()}]`,
    );
  }

  // ---- logging -------------------------------------------------------------------------------------------

  /** Reports a replication detail (none is logged on the path of an accepted append). */
  debug(text: string): void {
    this.config.logger?.debug(text);
  }

  /** Reports a state change (elections, configuration changes). */
  info(text: string): void {
    this.config.logger?.info(text);
  }

  /** Reports something that should not happen often (lost quorum, refused campaigns). */
  warn(text: string): void {
    this.config.logger?.warn(text);
  }

  // ---- state ---------------------------------------------------------------------------------------------

  /** The volatile state reported in Ready. */
  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  /** The state to persist. */
  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  /** Whether this member may campaign: it is a voter of its configuration. */
  promotable(): boolean {
    const progress = this.tracker.progress.get(this.id);
    return progress !== undefined && !progress.isLearner;
  }

  private loadState(state: HardState): void {
    assert(
      state.commit >= this.log.committed && state.commit <= this.log.lastIndex(),
      `${this.id} state.commit ${state.commit} is out of range [${this.log.committed}, ${this.log.lastIndex()}]`,
    );
    this.log.committed = state.commit;
    this.term = state.term;
    this.vote = state.vote;
  }

  // ---- sending -------------------------------------------------------------------------------------------

  /** Queues a message; stamps the sender and (for all but proposals and read requests) the term. */
  send(message: Message): void {
    message.from = this.id;
    const type = message.type;
    if (type === MessageType.Vote || type === MessageType.VoteResp || type === MessageType.PreVote || type === MessageType.PreVoteResp) {
      // Campaign messages carry the term they are about (the next term for pre-votes), set by the caller.
      if (!(message.term !== 0)) throw new AssertionError(`term should be set when sending ${messageName(type)}`);
    } else {
      if (!(message.term === 0)) throw new AssertionError(`term should not be set when sending ${messageName(type)} (was ${message.term})`);
      // Proposals and read requests forwarded to the leader are treated there as local messages.
      if (type !== MessageType.Prop && type !== MessageType.ReadIndex) message.term = this.term;
    }
    this.messages.push(message);
  }

  /** Sends a MsgApp (even an empty one, to carry the commit index) unless flow control pauses the peer. */
  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  /**
   * Sends a MsgApp with the entries the peer lacks, or a snapshot when they were compacted. Empty MsgApps go out
   * only when `sendIfEmpty`. Returns whether a message was sent.
   */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const progress = this.tracker.progress.get(to);
    if (!progress || progress.isPaused()) return false;
    let previousTerm: number;
    let entries: Entry[];
    try {
      previousTerm = this.log.term(progress.next - 1);
      entries = this.log.entries(progress.next, this.config.maxSizePerMessageBytes);
    } catch (error) {
      if (!(error instanceof CompactedError)) throw error;
      return this.maybeSendSnapshot(to);
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    const message = makeMessage({
      type: MessageType.App,
      to,
      index: progress.next - 1,
      logTerm: previousTerm,
      entries,
      commit: this.log.committed,
    });
    if (entries.length > 0) {
      if (!(progress.state !== ProgressState.Snapshot)) throw new AssertionError(`${this.id} is sending append in unhandled state Snapshot`);
      progress.sentEntries(entries[entries.length - 1].index, entriesSizeBytes(entries));
    }
    this.send(message);
    return true;
  }

  private maybeSendSnapshot(to: NodeId): boolean {
    const progress = this.tracker.progress.get(to)!;
    if (!progress.recentActive) {
      this.debug(`ignore sending snapshot to ${to} since it is not recently active`);
      return false;
    }
    let snapshot;
    try {
      snapshot = this.log.snapshot();
    } catch (error) {
      if (error instanceof SnapshotTemporarilyUnavailableError) {
        this.debug(`${this.id} failed to send snapshot to ${to} because snapshot is temporarily unavailable`);
        return false;
      }
      throw error;
    }
    assert(!isEmptySnapshot(snapshot), 'need non-empty snapshot');
    const { index, term } = snapshot.metadata;
    this.debug(
      `${this.id} [firstindex: ${this.log.firstIndex()}, commit: ${this.log.committed}] sent snapshot[index: ${index}, term: ${term}] to ${to} [${progress}]`,
    );
    progress.becomeSnapshot(index);
    this.debug(`${this.id} paused sending replication messages to ${to} [${progress}]`);
    this.send(makeMessage({ type: MessageType.Snap, to, snapshot }));
    return true;
  }

  /** Sends a heartbeat; the commit index it carries never exceeds what the peer is known to have. */
  sendHeartbeat(to: NodeId, context: Uint8Array | undefined): void {
    const match = this.tracker.progress.get(to)?.match ?? 0;
    const message = makeMessage({ type: MessageType.Heartbeat, to, commit: Math.min(match, this.log.committed) });
    if (context) message.context = context;
    this.send(message);
  }

  /** Sends MsgApp to every other member. */
  broadcastAppend(): void {
    this.tracker.visit((id) => {
      if (id !== this.id) this.sendAppend(id);
    });
  }

  /** Sends heartbeats to every other member, carrying the newest pending read request's context. */
  broadcastHeartbeat(context: Uint8Array | undefined = this.readOnly.lastPendingRequestContext()): void {
    this.tracker.visit((id) => {
      if (id !== this.id) this.sendHeartbeat(id, context);
    });
  }

  // ---- log -----------------------------------------------------------------------------------------------

  /**
   * Appends proposed entries at this leader's term. Returns false (appending nothing) when they would exceed the
   * uncommitted-size limit. The leader's own progress advances only once the entries are persisted (advance()).
   */
  appendEntries(proposed: readonly ProposedEntry[]): boolean {
    const lastIndex = this.log.lastIndex();
    let bytes = 0;
    for (const entry of proposed) bytes += entry.data.byteLength;
    const limit = this.config.maxUncommittedEntriesBytes;
    // An empty tail accepts any size, so that one oversized entry cannot block the log forever.
    if (limit > 0 && this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > limit) {
      this.debug(`${this.id} appending new entries to log would exceed uncommitted entry size limit; dropping proposal`);
      return false;
    }
    this.uncommittedBytes += bytes;
    const entries: Entry[] = proposed.map((entry, i) => ({ term: this.term, index: lastIndex + 1 + i, type: entry.type, data: entry.data }));
    this.log.append(entries);
    return true;
  }

  /** Accounts for applied entries in the uncommitted-size estimate. */
  reduceUncommittedSize(bytes: number): void {
    this.uncommittedBytes = bytes > this.uncommittedBytes ? 0 : this.uncommittedBytes - bytes;
  }

  /** Tries to advance the commit index from the progress of a quorum. */
  maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.committed(), this.term);
  }

  /** After the commit index advanced on a leader: answer reads that waited for it and tell the followers. */
  onCommitAdvanced(): void {
    this.releasePendingReadIndexMessages();
    this.broadcastAppend();
  }

  /** Whether this leader has committed an entry of its own term (needed before answering ReadIndex). */
  committedEntryInCurrentTerm(): boolean {
    return this.log.termOrZero(this.log.committed) === this.term;
  }

  /** Entries up to (index, term) were persisted by the caller; a leader counts them as its own acknowledgement. */
  onEntriesPersisted(index: number, term: number): void {
    if (!this.log.stableTo(index, term)) return;
    if (this.state !== StateType.Leader) return;
    const self = this.tracker.progress.get(this.id);
    if (self && self.maybeUpdate(index) && this.maybeCommit()) this.onCommitAdvanced();
  }

  /** The caller applied entries up to `index`. */
  appliedTo(index: number): void {
    this.log.appliedTo(index);
    this.maybeAutoLeave();
    if (this.campaignDeferred && !this.hasUnappliedConfChanges()) {
      this.campaignDeferred = false;
      if (this.state !== StateType.Leader && this.lead === NONE) this.hup(this.config.preVote ? CampaignType.PreElection : CampaignType.Election);
    }
  }

  /**
   * Campaigns now (the caller's explicit request). A member restarted without a snapshot learns that it is a
   * voter only by applying its log's conf changes again; the campaign then starts once they are applied.
   */
  requestCampaign(): void {
    this.step(makeMessage({ type: MessageType.Hup, from: this.id }));
    if (this.state === StateType.Follower && this.lead === NONE && this.hasUnappliedConfChanges()) this.campaignDeferred = true;
  }

  /** Proposes leaving a joint configuration marked auto-leave once it is applied (leaders only). */
  maybeAutoLeave(): void {
    if (!this.tracker.config.autoLeave || this.state !== StateType.Leader) return;
    if (this.log.applied < this.pendingConfIndex) return;
    try {
      // The empty ConfChangeV2 encodes to zero bytes, so the size limit can never refuse it.
      this.step(makeMessage({ type: MessageType.Prop, from: this.id, entries: [{ term: 0, index: 0, type: EntryType.ConfChangeV2, data: new Uint8Array(0) }] }));
      this.info(`initiating automatic transition out of joint configuration ${describeTrackerConfig(this.tracker.config)}`);
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      // A transfer is in progress: either the new leader leaves the joint state, or we retry on the next tick.
      this.debug(`not initiating automatic transition out of joint configuration: ${error.message}`);
    }
  }

  // ---- state transitions ---------------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.tracker.resetVotes();
    const lastIndex = this.log.lastIndex();
    this.tracker.visit((id, progress) => progress.reset(id === this.id ? lastIndex : 0, lastIndex + 1));
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly = new ReadOnly();
    // Reads queued as leader are dropped with the leadership; their callers time out and retry, as with losses.
    this.pendingReadIndexMessages = [];
  }

  private resetRandomizedElectionTimeout(): void {
    const electionTick = this.config.electionTick;
    const draw = Math.floor(this.config.rng() * electionTick);
    this.randomizedElectionTimeout = electionTick + Math.min(Math.max(draw, 0), electionTick - 1);
  }

  /** Becomes a follower of `lead` (or of nobody) at `term`. */
  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.state = StateType.Follower;
    this.info(`${this.id} became follower at term ${this.term}`);
  }

  private becomeCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition [leader -> candidate]');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = StateType.Candidate;
    this.info(`${this.id} became candidate at term ${this.term}`);
  }

  private becomePreCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition [leader -> pre-candidate]');
    // A pre-candidate changes neither its term nor its vote: that is the point of pre-voting.
    this.tracker.resetVotes();
    this.lead = NONE;
    this.state = StateType.PreCandidate;
    this.info(`${this.id} became pre-candidate at term ${this.term}`);
  }

  /** Becomes leader of the current term and appends the empty entry that lets it commit earlier terms' entries. */
  becomeLeader(): void {
    assert(this.state !== StateType.Follower, 'invalid transition [follower -> leader]');
    this.reset(this.term);
    this.lead = this.id;
    this.state = StateType.Leader;
    this.tracker.progress.get(this.id)?.becomeReplicate();
    // The log may hold an unapplied conf change; scanning for it is costly, so refuse new ones until all is applied.
    this.pendingConfIndex = this.log.lastIndex();
    const appended = this.appendEntries([{ type: EntryType.Normal, data: new Uint8Array(0) }]);
    assert(appended, 'empty entry was dropped');
    this.info(`${this.id} became leader at term ${this.term}`);
    // Defense in depth: campaigns stop when a member leaves the voters, but should one still win, it hands off.
    if (!this.promotable() && this.config.stepDownOnRemoval) this.handOffLeadership();
  }

  /** Starts an election (or pre-election) if this member may. */
  hup(type: CampaignType): void {
    if (this.state === StateType.Leader) {
      this.debug(`${this.id} ignoring MsgHup because already leader`);
      return;
    }
    if (!this.promotable()) {
      this.warn(`${this.id} is unpromotable and can not campaign`);
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.warn(`${this.id} cannot campaign at term ${this.term} since there are still pending configuration changes to apply`);
      return;
    }
    this.info(`${this.id} is starting a new election at term ${this.term}`);
    this.campaign(type);
  }

  /** Whether committed conf changes wait to be applied: campaigning on a stale configuration could split votes. */
  hasUnappliedConfChanges(): boolean {
    let index = Math.max(this.log.applied, this.confAppliedIndex, this.log.firstIndex() - 1) + 1;
    const end = this.log.committed + 1;
    // Page through the range so that a long unapplied tail does not materialize at once.
    while (index < end) {
      const entries = this.log.slice(index, end, this.config.maxCommittedSizePerReadyBytes);
      for (const entry of entries) {
        if (entry.type === EntryType.ConfChange || entry.type === EntryType.ConfChangeV2) return true;
      }
      index += entries.length;
    }
    return false;
  }

  /** Campaigns now (callers check that this member may). */
  campaign(type: CampaignType): void {
    let voteType: MessageType;
    let term: number;
    if (type === CampaignType.PreElection) {
      this.becomePreCandidate();
      voteType = MessageType.PreVote;
      // Pre-votes ask about the next term without moving to it.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = MessageType.Vote;
      term = this.term;
    }
    if (this.poll(this.id, voteResponseType(voteType), true) === VoteResult.Won) {
      // Our own vote is a quorum: a single-voter configuration.
      if (type === CampaignType.PreElection) this.campaign(CampaignType.Election);
      else this.becomeLeader();
      return;
    }
    for (const id of this.tracker.voterIds()) {
      if (id === this.id) continue;
      this.info(
        `${this.id} [logterm: ${this.log.lastTerm()}, index: ${this.log.lastIndex()}] sent ${messageName(voteType)} request to ${id} at term ${this.term}`,
      );
      const message = makeMessage({ type: voteType, to: id, term, index: this.log.lastIndex(), logTerm: this.log.lastTerm() });
      if (type === CampaignType.Transfer) message.context = campaignTransferContext;
      this.send(message);
    }
  }

  /** Records a vote and returns the election's state. */
  poll(id: NodeId, type: MessageType, granted: boolean): VoteResult {
    if (granted) this.info(`${this.id} received ${messageName(type)} from ${id} at term ${this.term}`);
    else this.info(`${this.id} received ${messageName(type)} rejection from ${id} at term ${this.term}`);
    this.tracker.recordVote(id, granted);
    const { granted: yes, rejected, result } = this.tracker.tallyVotes();
    if (id !== this.id) this.info(`${this.id} has received ${yes} ${messageName(type)} votes and ${rejected} vote rejections`);
    return result;
  }

  /** Ends a leadership transfer (completed, timed out or superseded). */
  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- ticks ---------------------------------------------------------------------------------------------

  /** Advances the logical clock by one tick. */
  tick(): void {
    if (this.state === StateType.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(makeMessage({ type: MessageType.Hup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTick) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) this.step(makeMessage({ type: MessageType.CheckQuorum, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned; this member stays leader.
      if (this.state === StateType.Leader && this.leadTransferee !== NONE) {
        this.abortLeaderTransfer();
        if (!this.promotable() && this.config.stepDownOnRemoval) this.handOffLeadership();
        else this.maybeAutoLeave();
      }
    }
    if (this.state !== StateType.Leader) return;
    if (this.heartbeatElapsed >= this.config.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(makeMessage({ type: MessageType.Beat, from: this.id }));
    }
  }

  // ---- stepping ------------------------------------------------------------------------------------------

  /** Handles one message. Throws ProposalDroppedError for proposals that cannot be appended. */
  step(message: Message): void {
    this.learnCommitFromVoteRejection(message);
    if (!this.stepTerm(message)) return;
    switch (message.type) {
      case MessageType.Hup:
        this.hup(this.config.preVote ? CampaignType.PreElection : CampaignType.Election);
        return;
      case MessageType.Vote:
      case MessageType.PreVote:
        this.stepVote(message);
        return;
      default:
        if (this.state === StateType.Leader) this.roles.leader(this, message);
        else if (this.state === StateType.Follower) this.roles.follower(this, message);
        else this.roles.candidate(this, message);
    }
  }

  /** Reconciles terms (Raft's "if a message has a newer term, adopt it"); false when the message is done with. */
  private stepTerm(m: Message): boolean {
    if (m.term === 0) return true; // A local message, or a forwarded proposal/read.
    if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = bytesEqual(m.context, campaignTransferContext);
        const inLease = this.config.checkQuorum && this.lead !== NONE && this.electionElapsed < this.config.electionTick;
        if (!force && inLease) {
          // Within the minimum election timeout of hearing from a leader, ignore votes: the leader lease.
          this.info(
            `${this.id} [logterm: ${this.log.lastTerm()}, index: ${this.log.lastIndex()}, vote: ${this.vote}] ignored ${messageName(m.type)} from ${m.from} ` +
              `[logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}: lease is not expired (remaining ticks: ${this.config.electionTick - this.electionElapsed})`,
          );
          return false;
        }
      }
      if (m.type === MessageType.PreVote || (m.type === MessageType.PreVoteResp && !m.reject)) {
        // Pre-votes never change our term; a granted pre-vote carries the term we would campaign for.
        return true;
      }
      this.info(`${this.id} [term: ${this.term}] received a ${messageName(m.type)} message with higher term from ${m.from} [term: ${m.term}]`);
      const fromLeader = m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap;
      this.becomeFollower(m.term, fromLeader ? m.from : NONE);
      return true;
    }
    if (m.term < this.term) {
      if ((this.config.checkQuorum || this.config.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A leader of an older term may be cut off behind our term after a partition; answering with our term
        // makes it step down. (With check-quorum or pre-vote, nodes do not adopt terms from votes that lose.)
        this.send(makeMessage({ type: MessageType.AppResp, to: m.from }));
      } else if (m.type === MessageType.PreVote || m.type === MessageType.Vote) {
        // Reject rather than ignore (as the Raft paper does): a candidate whose term trails ours would otherwise
        // never learn our term, and two candidates could keep out-terming each other forever.
        this.info(
          `${this.id} [logterm: ${this.log.lastTerm()}, index: ${this.log.lastIndex()}, vote: ${this.vote}] rejected ${messageName(m.type)} from ${m.from} ` +
            `[logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
        );
        this.send(this.voteRejection(voteResponseType(m.type), m.from));
      } else {
        this.info(`${this.id} [term: ${this.term}] ignored a ${messageName(m.type)} message with lower term from ${m.from} [term: ${m.term}]`);
      }
      return false;
    }
    return true;
  }

  /**
   * A vote rejection carries the rejecter's commit index and that entry's term. If we hold the same entry, our log
   * matches up to it, so it is committed for us too. This goes beyond etcd: without it, voters that have not
   * learned that their own removal of a member committed can wait forever for that member's vote, which it
   * refuses because its log is longer.
   */
  private learnCommitFromVoteRejection(m: Message): void {
    if (m.type !== MessageType.VoteResp && m.type !== MessageType.PreVoteResp) return;
    if (!m.reject || m.commit <= this.log.committed) return;
    if (!this.log.matchTerm(m.commit, m.logTerm)) return;
    this.info(`${this.id} learned commit index ${m.commit} from ${m.from}'s vote rejection`);
    this.log.commitTo(m.commit);
  }

  /** A rejected (pre-)vote, carrying our commit index for learnCommitFromVoteRejection. */
  private voteRejection(type: MessageType, to: NodeId): Message {
    const committed = this.log.committed;
    return makeMessage({ type, to, term: this.term, reject: true, commit: committed, logTerm: this.log.termOrZero(committed) });
  }

  private stepVote(m: Message): void {
    const canVote =
      // A repeat of the vote we cast...
      this.vote === m.from ||
      // ...or we have not voted and know no leader in this term...
      (this.vote === NONE && this.lead === NONE) ||
      // ...or a pre-vote for a future term.
      (m.type === MessageType.PreVote && m.term > this.term);
    // Learners answer too: a learner promoted by a committed change it has not applied yet must help elect.
    // Its vote counts only with a candidate whose configuration makes it a voter.
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      this.info(
        `${this.id} [logterm: ${this.log.lastTerm()}, index: ${this.log.lastIndex()}, vote: ${this.vote}] cast ${messageName(m.type)} for ${m.from} ` +
          `[logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
      );
      // Answer with the message's term: for pre-votes ours is older, and the candidate ignores older terms.
      this.send(makeMessage({ type: voteResponseType(m.type), to: m.from, term: m.term }));
      if (m.type === MessageType.Vote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.info(
        `${this.id} [logterm: ${this.log.lastTerm()}, index: ${this.log.lastIndex()}, vote: ${this.vote}] rejected ${messageName(m.type)} from ${m.from} ` +
          `[logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
      );
      this.send(this.voteRejection(voteResponseType(m.type), m.from));
    }
  }

  // ---- read index ----------------------------------------------------------------------------------------

  /** Answers reads that arrived before this leader committed an entry of its term. */
  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const message of pending) this.handleReadIndex(message);
  }

  /** Starts confirming a read at the current commit index (or answers at once where no round trip is needed). */
  handleReadIndex(m: Message): void {
    // Our own vote is a quorum only if we are the single voter (a removed leader handing off is not).
    const soleVoter = this.tracker.isSingleton() && this.tracker.config.incoming.has(this.id);
    if (soleVoter || this.config.readOnlyOption === ReadOnlyOption.LeaseBased) {
      this.respondToReadIndex(m, this.log.committed);
      return;
    }
    const context = m.entries[0].data;
    this.readOnly.addRequest(this.log.committed, m);
    this.readOnly.receiveAck(this.id, context);
    this.broadcastHeartbeat(context);
  }

  /** Delivers a confirmed read: as a ReadState if it is ours, else as MsgReadIndexResp to the follower that asked. */
  respondToReadIndex(request: Message, index: number): void {
    if (request.from === NONE || request.from === this.id) {
      this.readStates.push({ index, requestContext: request.entries[0].data });
      return;
    }
    this.send(makeMessage({ type: MessageType.ReadIndexResp, to: request.from, index, entries: request.entries }));
  }

  // ---- snapshots and configuration -----------------------------------------------------------------------

  /** Installs a snapshot from the leader; false if it was stale or only fast-forwarded the commit index. */
  restore(snapshot: NonNullable<Message['snapshot']>): boolean {
    const { index, term, confState } = snapshot.metadata;
    if (index <= this.log.committed) return false;
    if (this.state !== StateType.Follower) {
      // Defense in depth: only followers receive snapshots.
      this.warn(`${this.id} attempted to restore snapshot as leader; should never happen`);
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    if (this.log.applying > this.log.applied) {
      // Committed entries handed out in a Ready are still being applied; their conf changes must reach the
      // configuration before a snapshot replaces it. The leader retries the snapshot later.
      this.info(`${this.id} ignoring snapshot [index: ${index}] while entries up to ${this.log.applying} are being applied`);
      return false;
    }
    const members = [...confState.voters, ...confState.learners, ...confState.votersOutgoing];
    if (!members.includes(this.id)) {
      this.warn(`${this.id} attempted to restore snapshot but it is not in the ConfState; should never happen`);
      return false;
    }
    if (this.log.matchTerm(index, term)) {
      // We already have the entry: our log is at least as long, so only the commit index moves.
      this.info(
        `${this.id} [commit: ${this.log.committed}, lastindex: ${this.log.lastIndex()}, lastterm: ${this.log.lastTerm()}] fast-forwarded commit to snapshot [index: ${index}, term: ${term}]`,
      );
      this.log.commitTo(index);
      return false;
    }
    this.info(`log [${this.log}] starts to restore snapshot [index: ${index}, term: ${term}]`);
    this.log.restore(snapshot);
    const restored = restoreConfState(this.tracker, this.log.lastIndex(), confState);
    this.switchToConfig(restored);
    const self = this.tracker.progress.get(this.id);
    if (self) self.maybeUpdate(self.next - 1);
    this.info(
      `${this.id} [commit: ${this.log.committed}, lastindex: ${this.log.lastIndex()}, lastterm: ${this.log.lastTerm()}] restored snapshot [index: ${index}, term: ${term}]`,
    );
    return true;
  }

  /** Applies a committed membership change; throws ConfChangeError (leaving everything unchanged) if invalid. */
  applyConfChange(change: ConfChangeV2): ConfState {
    return this.switchToConfig(computeConfChange(changerInput(this.tracker, this.log.lastIndex()), change));
  }

  /** Installs a configuration and reacts to it: a removed leader steps down, a leader commits under new quorums. */
  switchToConfig(next: ConfigAndProgress): ConfState {
    this.tracker.setConfig(next.config, next.progress);
    this.info(`${this.id} switched to configuration ${describeTrackerConfig(this.tracker.config)}`);
    const confState = this.tracker.confState();
    const self = this.tracker.progress.get(this.id);
    this.isLearner = self?.isLearner ?? false;
    if ((this.state === StateType.Candidate || this.state === StateType.PreCandidate) && !this.promotable()) {
      // A member that left the voters stops campaigning.
      this.becomeFollower(this.term, NONE);
    }
    if (this.state !== StateType.Leader || confState.voters.length === 0) return confState;
    if (this.maybeCommit()) {
      this.onCommitAdvanced();
    } else {
      // Probe new members at once rather than waiting for the next heartbeat or proposal.
      this.tracker.visit((id) => {
        if (id !== this.id) this.maybeSendAppend(id, false);
      });
    }
    if (this.leadTransferee !== NONE && !this.tracker.progress.has(this.leadTransferee)) this.abortLeaderTransfer();
    if (!this.promotable() && this.config.stepDownOnRemoval) this.handOffLeadership();
    return confState;
  }

  /**
   * A leader that is no longer a voter hands leadership to the most up-to-date remaining voter. Stepping down at
   * once could deadlock: voters that have not yet learned that the change committed still need this member's
   * vote, which it refuses to candidates whose logs are shorter than its own.
   */
  handOffLeadership(): void {
    if (this.leadTransferee !== NONE) return;
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of this.tracker.voterIds()) {
      const progress = this.tracker.progress.get(id);
      if (id !== this.id && progress && progress.match > bestMatch) {
        best = id;
        bestMatch = progress.match;
      }
    }
    if (best === NONE) {
      this.becomeFollower(this.term, NONE);
      return;
    }
    this.info(`${this.id} is no longer a voter; handing leadership to ${best}`);
    this.step(makeMessage({ type: MessageType.TransferLeader, from: best }));
  }
}
