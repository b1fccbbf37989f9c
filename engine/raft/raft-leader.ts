// How a leader handles messages: proposals, replication acknowledgements and flow control, heartbeats (with
// read confirmations), check-quorum, snapshot reports and leadership transfer.
import { confChangeAsV2, isLeaveJoint } from './confchange.ts';
import { decodeConfChange, decodeConfChangeV2 } from './confchange-codec.ts';
import { ProposalDroppedError } from './errors.ts';
import { ProgressState } from './progress.ts';
import type { ProposedEntry, Raft } from './raft.ts';
import { ReadOnlyOption } from './config.ts';
import { jointVoteResult, VoteResult } from './quorum.ts';
import { describeTrackerConfig } from './tracker.ts';
import { type ConfChange, type ConfChangeV2, EntryType, type Message, MessageType, NONE, type NodeId } from './types.ts';
import { emptyBytes, makeMessage } from './util.ts';

/** Handles a message in the leader state. */
export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Beat:
      r.broadcastHeartbeat();
      return;
    case MessageType.CheckQuorum:
      checkQuorum(r);
      return;
    case MessageType.Prop:
      propose(r, m);
      return;
    case MessageType.ReadIndex:
      // Reads need proof that this leader's commit index is current: an entry of its own term must be committed.
      if (!r.committedEntryInCurrentTerm()) r.pendingReadIndexMessages.push(m);
      else r.handleReadIndex(m);
      return;
  }
  // Everything else comes from a member and needs its progress.
  const progress = r.tracker.progress.get(m.from);
  if (!progress) {
    r.debug(`${r.id} no progress available for ${m.from}`);
    return;
  }
  switch (m.type) {
    case MessageType.AppResp:
      progress.recentActive = true;
      if (m.reject) handleAppendRejection(r, m);
      else handleAppendAck(r, m);
      return;
    case MessageType.HeartbeatResp:
      handleHeartbeatResponse(r, m);
      return;
    case MessageType.SnapStatus:
      if (progress.state !== ProgressState.Snapshot) return;
      if (m.reject) {
        // Probe from the match, not from the snapshot that never arrived.
        progress.pendingSnapshot = 0;
        r.debug(`${r.id} snapshot failed, resumed sending replication messages to ${m.from} [${progress}]`);
      }
      progress.becomeProbe();
      if (!m.reject) r.debug(`${r.id} snapshot succeeded, resumed sending replication messages to ${m.from} [${progress}]`);
      // After success wait for the follower's MsgAppResp; after failure wait a heartbeat before retrying.
      progress.probeSent = true;
      return;
    case MessageType.Unreachable:
      // While streaming, an unreachable peer has most likely lost MsgApps: fall back to probing.
      if (progress.state === ProgressState.Replicate) progress.becomeProbe();
      r.debug(`${r.id} failed to send message to ${m.from} because it is unreachable [${progress}]`);
      return;
    case MessageType.TransferLeader:
      transferLeadership(r, m.from);
      return;
  }
}

function checkQuorum(r: Raft): void {
  // The leader always counts itself as active (unless it is no longer a member).
  const self = r.tracker.progress.get(r.id);
  if (self) self.recentActive = true;
  if (!r.tracker.quorumActive()) {
    r.warn(`${r.id} stepped down to follower since quorum is not active`);
    r.becomeFollower(r.term, NONE);
  }
  // Start the next round: everyone must be heard from again.
  r.tracker.visit((id, progress) => {
    if (id !== r.id) progress.recentActive = false;
  });
}

function propose(r: Raft, m: Message): void {
  if (m.entries.length === 0) throw new Error(`${r.id} stepped empty MsgProp`);
  if (!r.tracker.progress.has(r.id)) throw new ProposalDroppedError('not-a-member');
  if (r.leadTransferee !== NONE) {
    r.debug(`${r.id} [term ${r.term}] transfer leadership to ${r.leadTransferee} is in progress; dropping proposal`);
    throw new ProposalDroppedError('transfer-in-progress');
  }
  const local = m.from === NONE || m.from === r.id;
  const lastIndex = r.log.lastIndex();
  const proposed: ProposedEntry[] = [];
  let pendingConfIndex = r.pendingConfIndex;
  for (let i = 0; i < m.entries.length; i++) {
    const entry = m.entries[i];
    const refusal = confChangeRefusal(r, entry.type, entry.data, pendingConfIndex);
    if (refusal === undefined) {
      if (entry.type !== EntryType.Normal) pendingConfIndex = lastIndex + i + 1;
      proposed.push({ type: entry.type, data: entry.data });
      continue;
    }
    r.info(`${r.id} ignoring conf change at config ${describeTrackerConfig(r.tracker.config)}: ${refusal}`);
    // Our own caller is told; a forwarded proposal keeps its slot as an empty entry, as etcd does.
    if (local) throw new ProposalDroppedError('conf-change-pending');
    proposed.push({ type: EntryType.Normal, data: emptyBytes });
  }
  if (!r.appendEntries(proposed)) throw new ProposalDroppedError('uncommitted-size-exceeded');
  r.pendingConfIndex = pendingConfIndex;
  r.broadcastAppend();
}

/** Why a conf change entry may not be appended now, or undefined if it may (or is not a conf change). */
function confChangeRefusal(r: Raft, type: EntryType, data: Uint8Array, pendingConfIndex: number): string | undefined {
  let change: ConfChange | ConfChangeV2;
  if (type === EntryType.ConfChange) change = decodeConfChange(data);
  else if (type === EntryType.ConfChangeV2) change = decodeConfChangeV2(data);
  else return undefined;
  const alreadyJoint = r.tracker.isJoint();
  const wantsLeaveJoint = isLeaveJoint(confChangeAsV2(change));
  // Only one change may be in flight: the next is computed against the configuration the previous produces.
  if (pendingConfIndex > r.log.applied) {
    return `possible unapplied conf change at index ${pendingConfIndex} (applied to ${r.log.applied})`;
  }
  if (alreadyJoint && !wantsLeaveJoint) return 'must transition out of joint config first';
  if (!alreadyJoint && wantsLeaveJoint) return 'not in joint state; refusing empty conf change';
  return undefined;
}

function handleAppendRejection(r: Raft, m: Message): void {
  const progress = r.tracker.progress.get(m.from)!;
  r.debug(`${r.id} received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${m.from} for index ${m.index}`);
  // The follower's hint is the last index where its log may match ours; with its term we can skip our entries
  // of later terms too, so that each rejected probe skips a whole term rather than one entry.
  let nextProbeIndex = m.rejectHint;
  if (m.logTerm > 0) nextProbeIndex = r.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
  if (progress.maybeDecreaseTo(m.index, nextProbeIndex)) {
    r.debug(`${r.id} decreased progress of ${m.from} to [${progress}]`);
    if (progress.state === ProgressState.Replicate) progress.becomeProbe();
    r.sendAppend(m.from);
  }
}

function handleAppendAck(r: Raft, m: Message): void {
  const progress = r.tracker.progress.get(m.from)!;
  const wasPaused = progress.isPaused();
  if (!progress.maybeUpdate(m.index)) return;
  if (progress.state === ProgressState.Probe) {
    progress.becomeReplicate();
  } else if (progress.state === ProgressState.Snapshot && progress.match + 1 >= r.log.firstIndex()) {
    // The follower can continue from the log, whichever snapshot it applied: move to replicating via probing
    // (which accounts for the snapshot) so that the reported state is consistent right away.
    r.debug(`${r.id} recovered from needing snapshot, resumed sending replication messages to ${m.from} [${progress}]`);
    progress.becomeProbe();
    progress.becomeReplicate();
  } else if (progress.state === ProgressState.Replicate) {
    progress.inflights.freeLE(m.index);
  }
  if (r.maybeCommit()) {
    r.onCommitAdvanced();
  } else if (wasPaused) {
    // The follower may have missed the latest commit index while paused.
    r.sendAppend(m.from);
  }
  // Flow control may now allow several messages (after probing, or when the ack freed many inflights).
  while (r.maybeSendAppend(m.from, false)) {
    // Keep sending until paused or caught up.
  }
  if (m.from === r.leadTransferee && progress.match === r.log.lastIndex()) {
    r.info(`${r.id} sent MsgTimeoutNow to ${m.from} after received MsgAppResp`);
    r.send(makeMessage({ type: MessageType.TimeoutNow, to: m.from }));
  }
}

function handleHeartbeatResponse(r: Raft, m: Message): void {
  const progress = r.tracker.progress.get(m.from)!;
  progress.recentActive = true;
  progress.probeSent = false;
  // A full window may be full of lost messages: free one slot so that replication can resume.
  if (progress.state === ProgressState.Replicate && progress.inflights.full()) progress.inflights.freeFirstOne();
  if (progress.match < r.log.lastIndex()) r.sendAppend(m.from);
  if (r.config.readOnlyOption !== ReadOnlyOption.Safe || !m.context || m.context.length === 0) return;
  const acks = r.readOnly.receiveAck(m.from, m.context);
  if (!acks || jointVoteResult(r.tracker.voters(), acks) !== VoteResult.Won) return;
  for (const status of r.readOnly.advance(m.context)) r.respondToReadIndex(status.request, status.index);
}

function transferLeadership(r: Raft, transferee: NodeId): void {
  const progress = r.tracker.progress.get(transferee)!;
  if (progress.isLearner) {
    r.debug(`${r.id} is learner. Ignored transferring leadership`);
    return;
  }
  if (r.leadTransferee !== NONE) {
    if (r.leadTransferee === transferee) {
      r.info(`${r.id} [term ${r.term}] transfer leadership to ${transferee} is in progress, ignores request to same node ${transferee}`);
      return;
    }
    r.info(`${r.id} [term ${r.term}] abort previous transferring leadership to ${r.leadTransferee}`);
    r.abortLeaderTransfer();
  }
  if (transferee === r.id) {
    r.debug(`${r.id} is already leader. Ignored transferring leadership to self`);
    return;
  }
  r.info(`${r.id} [term ${r.term}] starts to transfer leadership to ${transferee}`);
  // The transfer must finish within an election timeout, counted from now.
  r.electionElapsed = 0;
  r.leadTransferee = transferee;
  if (progress.match === r.log.lastIndex()) {
    r.info(`${r.id} sends MsgTimeoutNow to ${transferee} immediately as ${transferee} already has up-to-date log`);
    r.send(makeMessage({ type: MessageType.TimeoutNow, to: transferee }));
  } else {
    r.sendAppend(transferee);
  }
}
