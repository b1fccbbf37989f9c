// How followers and (pre-)candidates handle messages: appends, heartbeats and snapshots from the leader,
// forwarding of proposals and reads, vote responses, and the leader's order to campaign (MsgTimeoutNow).
import { ProposalDroppedError } from './errors.ts';
import { CampaignType, type Raft } from './raft.ts';
import { VoteResult } from './quorum.ts';
import { type Message, MessageType, NONE, StateType } from './types.ts';
import { makeMessage } from './util.ts';

/** Handles a message in the follower state. */
export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Prop:
      if (r.lead === NONE) {
        r.info(`${r.id} no leader at term ${r.term}; dropping proposal`);
        throw new ProposalDroppedError('no-leader');
      }
      if (r.config.disableProposalForwarding) {
        r.info(`${r.id} not forwarding to leader ${r.lead} at term ${r.term}; dropping proposal`);
        throw new ProposalDroppedError('forwarding-disabled');
      }
      r.send({ ...m, to: r.lead });
      return;
    case MessageType.App:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppendEntries(r, m);
      return;
    case MessageType.Heartbeat:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return;
    case MessageType.Snap:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return;
    case MessageType.TransferLeader:
      if (r.lead === NONE) {
        r.info(`${r.id} no leader at term ${r.term}; dropping leader transfer msg`);
        return;
      }
      // Forwarding stamps this member as the sender, which the leader reads as the transferee: so only a
      // request to make this member leader can be forwarded.
      if (m.from !== r.id) {
        r.info(`${r.id} not forwarding leader transfer to ${m.from}: ask the leader ${r.lead}`);
        return;
      }
      r.send({ ...m, to: r.lead, term: 0 });
      return;
    case MessageType.TimeoutNow:
      // Transfers skip pre-vote: the leader itself asked, so this member is not recovering from a partition.
      r.info(`${r.id} [term ${r.term}] received MsgTimeoutNow from ${m.from} and starts an election to get leadership.`);
      r.hup(CampaignType.Transfer);
      return;
    case MessageType.ReadIndex:
      if (r.lead === NONE) {
        r.info(`${r.id} no leader at term ${r.term}; dropping index reading msg`);
        if (m.from === NONE || m.from === r.id) throw new ProposalDroppedError('no-leader');
        return;
      }
      r.send({ ...m, to: r.lead });
      return;
    case MessageType.ReadIndexResp:
      if (m.entries.length !== 1) {
        r.warn(`${r.id} invalid format of MsgReadIndexResp from ${m.from}, entries count: ${m.entries.length}`);
        return;
      }
      r.readStates.push({ index: m.index, requestContext: m.entries[0].data });
      return;
  }
}

/** Handles a message in the candidate and pre-candidate states. */
export function stepCandidate(r: Raft, m: Message): void {
  // A candidate may still receive pre-vote responses from its pre-candidacy in this term: ignore those.
  const ownResponse = r.state === StateType.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
  switch (m.type) {
    case MessageType.Prop:
      r.info(`${r.id} no leader at term ${r.term}; dropping proposal`);
      throw new ProposalDroppedError('no-leader');
    case MessageType.ReadIndex:
      if (m.from === NONE || m.from === r.id) throw new ProposalDroppedError('no-leader');
      return;
    case MessageType.App:
      r.becomeFollower(m.term, m.from); // m.term === r.term: a leader won this term.
      handleAppendEntries(r, m);
      return;
    case MessageType.Heartbeat:
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case MessageType.Snap:
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return;
    case ownResponse: {
      const result = r.poll(m.from, m.type, !m.reject);
      if (result === VoteResult.Won) {
        if (r.state === StateType.PreCandidate) {
          r.campaign(CampaignType.Election);
        } else {
          r.becomeLeader();
          r.broadcastAppend();
        }
      } else if (result === VoteResult.Lost) {
        // A rejected pre-vote carries a newer term than ours; stay at ours (the rejecter's term) as follower.
        r.becomeFollower(r.term, NONE);
      }
      return;
    }
    case MessageType.TimeoutNow:
      r.debug(`${r.id} [term ${r.term} state ${StateType[r.state]}] ignored MsgTimeoutNow from ${m.from}`);
      return;
  }
}

function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    // Everything up to our commit index matches the leader's log already.
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.log.committed }));
    return;
  }
  const lastNewIndex = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNewIndex !== undefined) {
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: lastNewIndex }));
    return;
  }
  // Reject with a hint: the last index at which our log may match, with its term, so that the leader can skip
  // whole terms of conflicting entries instead of probing one index per round trip.
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.debug(
    `${r.id} [logterm: ${r.log.termOrZero(m.index)}, index: ${m.index}] rejected MsgApp [logterm: ${m.logTerm}, index: ${m.index}] from ${m.from}`,
  );
  r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }));
}

function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit);
  const response = makeMessage({ type: MessageType.HeartbeatResp, to: m.from });
  if (m.context) response.context = m.context;
  r.send(response);
}

function handleSnapshot(r: Raft, m: Message): void {
  const snapshot = m.snapshot;
  if (!snapshot) {
    r.warn(`${r.id} received MsgSnap without a snapshot from ${m.from}`);
    return;
  }
  const { index, term } = snapshot.metadata;
  if (r.restore(snapshot)) {
    r.info(`${r.id} [commit: ${r.log.committed}] restored snapshot [index: ${index}, term: ${term}]`);
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.log.lastIndex() }));
  } else {
    r.info(`${r.id} [commit: ${r.log.committed}] ignored snapshot [index: ${index}, term: ${term}]`);
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.log.committed }));
  }
}
