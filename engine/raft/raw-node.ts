// The public face of the Raft core, modeled on etcd's RawNode. The caller owns all I/O and runs the Ready loop:
//
//   while (node.hasReady()) {
//     const rd = node.ready();
//     persist rd.hardState, rd.entries and rd.snapshot (fsync when rd.mustSync) and add them to the Storage;
//     send rd.messages;
//     apply rd.snapshot, then rd.committedEntries (calling applyConfChange for conf change entries);
//     node.advance();
//   }
//
// step(), tick() and propose() may be called between ready() and advance() (while persisting asynchronously);
// their effects go into the next Ready. Only one Ready may be outstanding.
import { assert } from '../common/assert.ts';
import type { RaftConfig } from './config.ts';
import { confChangeAsV2, isConfChangeV2 } from './confchange.ts';
import { encodeConfChange, encodeConfChangeV2 } from './confchange-codec.ts';
import { ProposalDroppedError, RaftConfigError, StepLocalMessageError, StepPeerNotFoundError } from './errors.ts';
import { newRaft } from './new-raft.ts';
import type { Raft } from './raft.ts';
import { getStatus, type Status } from './status.ts';
import {
  type ConfChange,
  ConfChangeType,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Message,
  MessageType,
  NONE,
  type NodeId,
  type Ready,
  type SoftState,
} from './types.ts';
import { isLocalMessage, isResponseMessage, makeMessage, messageName, payloadBytes } from './util.ts';

/** A member of a new cluster, for bootstrap(); `context` is stored in its AddNode conf change. */
export interface Peer {
  id: NodeId;
  context?: Uint8Array;
}

/** What advance() needs to know about the Ready it acknowledges. */
interface OutstandingReady {
  lastEntry: { index: number; term: number } | undefined;
  snapshotIndex: number;
  appliedIndex: number;
  appliedPayloadBytes: number;
}

/** One Raft member: feed it ticks, messages and proposals; drain it with ready()/advance(). */
export class RaftNode {
  private readonly raft: Raft;
  private previousSoftState: SoftState;
  private previousHardState: HardState;
  private outstanding: OutstandingReady | undefined;

  /** Creates a member from its config; it restarts from config.storage (empty storage: a new member). */
  constructor(config: RaftConfig) {
    this.raft = newRaft(config);
    this.previousSoftState = this.raft.softState();
    this.previousHardState = this.raft.hardState();
  }

  /**
   * Starts a new cluster whose initial members are `peers`: appends (as committed) one AddNode conf change per
   * peer and applies them, so that campaign() works at once. The entries appear in the next Ready as both
   * entries and committedEntries; applying them again through applyConfChange is harmless. Storage must be empty.
   */
  bootstrap(peers: readonly (NodeId | Peer)[]): void {
    if (peers.length === 0) throw new RaftConfigError('must provide at least one peer to bootstrap');
    if (this.raft.log.storage.lastIndex() !== 0 || this.raft.log.lastIndex() !== 0) {
      throw new RaftConfigError("can't bootstrap a nonempty Storage");
    }
    const members: Peer[] = peers.map((peer) => (typeof peer === 'bigint' ? { id: peer } : peer));
    this.previousHardState = { term: 0, vote: NONE, commit: 0 };
    this.raft.becomeFollower(1, NONE);
    const entries: Entry[] = members.map((peer, i) => ({
      term: 1,
      index: i + 1,
      type: EntryType.ConfChange,
      data: encodeConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: peer.id, context: peer.context }),
    }));
    this.raft.log.append(entries);
    this.raft.log.committed = entries.length;
    for (const peer of members) {
      this.raft.applyConfChange(confChangeAsV2({ id: 0n, type: ConfChangeType.AddNode, nodeId: peer.id }));
    }
    this.raft.confAppliedIndex = entries.length;
  }

  /** Advances the logical clock: followers time out into elections, leaders send heartbeats and check quorum. */
  tick(): void {
    this.raft.tick();
  }

  /**
   * Starts an election now (with a pre-vote round when enabled); a single voter becomes leader at once. On a
   * member restarted from a log whose conf changes are not yet applied again, the election starts as soon as
   * they are (in the advance() that applies them).
   */
  campaign(): void {
    this.raft.requestCampaign();
  }

  /**
   * Proposes `data` for the log. Throws ProposalDroppedError when it cannot be appended (no leader known, a
   * leadership transfer in progress, not a member, uncommitted-size limit). On a follower the proposal is
   * forwarded to the leader, which may still drop it silently: the caller must time out, as with etcd.
   */
  propose(data: Uint8Array): void {
    this.raft.step(makeMessage({ type: MessageType.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data }] }));
  }

  /**
   * Proposes a membership change. Only one may be pending: a leader throws ProposalDroppedError('conf-change-pending')
   * while an earlier one is not yet applied (or the change does not fit a joint/non-joint state). The change
   * takes effect when the caller applies the committed entry with applyConfChange().
   */
  proposeConfChange(change: ConfChange | ConfChangeV2): void {
    const entry: Entry = isConfChangeV2(change)
      ? { term: 0, index: 0, type: EntryType.ConfChangeV2, data: encodeConfChangeV2(change) }
      : { term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(change) };
    this.raft.step(makeMessage({ type: MessageType.Prop, from: this.raft.id, entries: [entry] }));
  }

  /**
   * Applies a committed conf change entry's change and returns the new configuration (to store with snapshots).
   * Throws ConfChangeError, changing nothing, if the change is invalid for the current configuration; a server
   * that refuses a change at apply time should apply one with nodeId NONE instead, as etcd does.
   */
  applyConfChange(change: ConfChange | ConfChangeV2): ConfState {
    return this.raft.applyConfChange(confChangeAsV2(change));
  }

  /**
   * Handles a message from a peer. Throws StepLocalMessageError for local-only types and StepPeerNotFoundError
   * for responses from non-members. A proposal forwarded by a follower that this leader must drop is ignored
   * (reported to the logger): only the follower's caller could act on it, and it times out.
   */
  step(message: Message): void {
    if (isLocalMessage(message.type)) throw new StepLocalMessageError();
    if (isResponseMessage(message.type) && !this.raft.tracker.progress.has(message.from)) throw new StepPeerNotFoundError();
    try {
      this.raft.step(message);
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      this.raft.debug(`${this.raft.id} dropped ${messageName(message.type)} from ${message.from}: ${error.message}`);
    }
  }

  /**
   * Asks the leader to hand leadership to `transferee` (call it on the leader; a follower forwards only a request
   * for itself). Proposals are dropped while the transfer runs; it is abandoned after an election timeout.
   */
  transferLeadership(transferee: NodeId): void {
    this.raft.step(makeMessage({ type: MessageType.TransferLeader, from: transferee }));
  }

  /**
   * Requests a linearizable read. Its answer arrives as a ReadState (with the same `context`) in a later Ready:
   * serve the read once the applied index reaches ReadState.index. Throws ProposalDroppedError('no-leader') when
   * no leader is known; a request lost on the way (leader change) never gets an answer, so the caller times out.
   */
  readIndex(context: Uint8Array): void {
    this.raft.step(makeMessage({ type: MessageType.ReadIndex, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data: context }] }));
  }

  /** Tells the leader that the last message to `id` could not be delivered (stops optimistic streaming). */
  reportUnreachable(id: NodeId): void {
    this.stepLocal(makeMessage({ type: MessageType.Unreachable, from: id }));
  }

  /** Tells the leader how sending a snapshot to `id` ended; a failure makes it retry later. */
  reportSnapshot(id: NodeId, failed: boolean): void {
    this.stepLocal(makeMessage({ type: MessageType.SnapStatus, from: id, reject: failed }));
  }

  private stepLocal(message: Message): void {
    // Reports about departed peers are meaningless, not errors.
    if (this.raft.tracker.progress.has(message.from)) this.raft.step(message);
  }

  /** Whether ready() has anything to hand out. False while a Ready is outstanding (before advance()). */
  hasReady(): boolean {
    if (this.outstanding) return false;
    const r = this.raft;
    const softState = r.softState();
    if (softState.lead !== this.previousSoftState.lead || softState.raftState !== this.previousSoftState.raftState) return true;
    if (!hardStateEqual(r.hardState(), this.previousHardState)) return true;
    if (r.log.unstable.snapshot) return true;
    if (r.messages.length > 0 || r.log.unstable.entries.length > 0 || r.log.hasNextCommittedEntries()) return true;
    return r.readStates.length > 0;
  }

  /**
   * Everything to persist, send and apply now (see the file comment for the order). Entries proposed on a
   * single-voter leader are committed once persisted: they appear in `entries` of one Ready and in
   * `committedEntries` of the Ready after advance(). Must be followed by advance() before the next ready().
   */
  ready(): Ready {
    assert(!this.outstanding, 'ready() called again before advance()');
    const r = this.raft;
    const entries = r.log.unstableEntries();
    const committedEntries = r.log.nextCommittedEntries();
    const snapshot = r.log.unstable.snapshot;
    const hardState = r.hardState();
    const previous = this.previousHardState;
    const ready: Ready = {
      readStates: r.readStates,
      entries,
      committedEntries,
      messages: r.messages,
      // Term, vote and entries must be durable before any message is sent; the commit index alone need not be,
      // as it can be recovered from a quorum.
      mustSync: entries.length > 0 || snapshot !== undefined || hardState.term !== previous.term || hardState.vote !== previous.vote,
    };
    const softState = r.softState();
    if (softState.lead !== this.previousSoftState.lead || softState.raftState !== this.previousSoftState.raftState) {
      ready.softState = softState;
      this.previousSoftState = softState;
    }
    if (!hardStateEqual(hardState, previous)) {
      ready.hardState = hardState;
      this.previousHardState = hardState;
    }
    if (snapshot) ready.snapshot = snapshot;
    r.messages = [];
    r.readStates = [];
    const lastCommitted = committedEntries.length > 0 ? committedEntries[committedEntries.length - 1].index : 0;
    if (lastCommitted > 0) r.log.acceptApplying(lastCommitted);
    const lastEntry = entries.length > 0 ? entries[entries.length - 1] : undefined;
    this.outstanding = {
      lastEntry: lastEntry && { index: lastEntry.index, term: lastEntry.term },
      snapshotIndex: snapshot?.metadata.index ?? 0,
      appliedIndex: lastCommitted || (snapshot?.metadata.index ?? 0),
      appliedPayloadBytes: payloadBytes(committedEntries),
    };
    return ready;
  }

  /**
   * Acknowledges the last Ready: its entries and snapshot are persisted and its committed entries applied. On a
   * leader, persisting its own entries counts as its acknowledgement, which may commit them (single voter).
   */
  advance(): void {
    const done = this.outstanding;
    assert(done, 'advance() called without an outstanding ready()');
    this.outstanding = undefined;
    const r = this.raft;
    if (done.snapshotIndex > 0) r.log.stableSnapshotTo(done.snapshotIndex);
    if (done.lastEntry) r.onEntriesPersisted(done.lastEntry.index, done.lastEntry.term);
    if (done.appliedIndex > 0) r.appliedTo(done.appliedIndex);
    r.reduceUncommittedSize(done.appliedPayloadBytes);
  }

  /** The member's current state; `progress` is present on the leader. */
  status(): Status {
    return getStatus(this.raft);
  }

  /** This member's ID. */
  get id(): NodeId {
    return this.raft.id;
  }

  /** The underlying state machine, for tests and the simulation harness in engine/raft only. */
  get internalRaft(): Raft {
    return this.raft;
  }
}

function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
