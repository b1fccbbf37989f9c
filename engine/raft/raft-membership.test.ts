// Leadership transfer, learners and membership changes (single-step and joint consensus).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProposalDroppedError } from './errors.ts';
import { TestCluster } from './sim/test-cluster.ts';
import { ConfChangeTransition, ConfChangeType, MessageType, StateType } from './types.ts';
import { makeMessage } from './util.ts';

const ids = [1n, 2n, 3n];
const text = (value: string) => new TextEncoder().encode(value);

function isDropped(reason: string) {
  return (error: unknown) => error instanceof ProposalDroppedError && error.reason === reason;
}

test('leadership transfer to an up-to-date follower completes at once', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.member(1n).node.transferLeadership(2n);
  cluster.stabilize();
  assert.equal(cluster.leader(), 2n);
  assert.equal(cluster.raft(1n).state, StateType.Follower);
  assert.ok(cluster.trace.some((m) => m.type === MessageType.TimeoutNow && m.to === 2n));
});

test('leadership transfer to a lagging follower first catches it up; proposals are dropped meanwhile', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.isolate(3n);
  for (let i = 0; i < 5; i++) cluster.propose(1n, `e${i}`);
  cluster.member(1n).node.transferLeadership(3n);
  assert.throws(() => cluster.member(1n).node.propose(text('during')), isDropped('transfer-in-progress'));
  assert.equal(cluster.raft(1n).leadTransferee, 3n);
  cluster.heal();
  cluster.tickAll(2);
  assert.equal(cluster.leader(), 3n);
  assert.ok(!cluster.member(3n).applied.includes('during'));
});

test('a transfer that cannot finish within an election timeout is abandoned', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.isolate(3n);
  cluster.member(1n).node.transferLeadership(3n);
  cluster.tick(1n, 10);
  assert.equal(cluster.raft(1n).leadTransferee, 0n);
  assert.equal(cluster.raft(1n).state, StateType.Leader);
  cluster.member(1n).node.propose(text('accepted again'));
});

test('a learner receives the log but neither campaigns nor counts toward the quorum', () => {
  const cluster = new TestCluster([1n, 2n], { learners: [3n] });
  cluster.elect(1n);
  cluster.propose(1n, 'replicated');
  assert.deepEqual(cluster.member(3n).applied, ['', 'replicated']);
  cluster.tick(3n, 100);
  assert.equal(cluster.raft(3n).state, StateType.Follower);
  assert.equal(cluster.raft(3n).term, cluster.raft(1n).term);
  // With the only other voter gone, the learner's acknowledgement commits nothing.
  cluster.isolate(2n);
  const committed = cluster.raft(1n).log.committed;
  cluster.member(1n).node.propose(text('needs 2'));
  cluster.stabilize();
  assert.equal(cluster.raft(3n).log.lastIndex(), committed + 1);
  assert.equal(cluster.raft(1n).log.committed, committed);
});

test('promoting a learner makes it a voter that can win elections', () => {
  const cluster = new TestCluster([1n, 2n], { learners: [3n] });
  cluster.elect(1n);
  cluster.member(1n).node.proposeConfChange({ id: 1n, type: ConfChangeType.AddNode, nodeId: 3n });
  cluster.stabilize();
  assert.deepEqual(cluster.member(3n).confState?.voters, [1n, 2n, 3n]);
  assert.equal(cluster.raft(3n).isLearner, false);
  cluster.member(1n).node.transferLeadership(3n);
  cluster.stabilize();
  assert.equal(cluster.leader(), 3n);
});

test('only one membership change may be pending at a time', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.isolate(2n);
  cluster.isolate(3n);
  const node = cluster.member(1n).node;
  node.proposeConfChange({ id: 1n, type: ConfChangeType.AddLearnerNode, nodeId: 4n });
  assert.throws(() => node.proposeConfChange({ id: 2n, type: ConfChangeType.AddLearnerNode, nodeId: 5n }), isDropped('conf-change-pending'));
  cluster.heal();
  cluster.stabilize();
  node.proposeConfChange({ id: 2n, type: ConfChangeType.AddLearnerNode, nodeId: 5n });
  cluster.stabilize();
  assert.deepEqual(cluster.member(1n).confState?.learners, [4n, 5n]);
});

test('a new leader refuses conf changes until it has applied its whole log', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.member(1n).node.campaign();
  const raft = cluster.raft(1n);
  assert.equal(raft.pendingConfIndex, raft.log.lastIndex() - 1);
});

test('joint consensus: two voters are added at once and the joint configuration is left automatically', () => {
  const cluster = new TestCluster([1n]);
  cluster.start(2n);
  cluster.start(3n);
  cluster.elect(1n);
  cluster.member(1n).node.proposeConfChange({
    transition: ConfChangeTransition.Auto,
    changes: [
      { type: ConfChangeType.AddNode, nodeId: 2n },
      { type: ConfChangeType.AddNode, nodeId: 3n },
    ],
  });
  cluster.stabilize();
  cluster.tickAll(3);
  for (const id of ids) {
    const confState = cluster.raft(id).tracker.confState();
    assert.deepEqual(confState.voters, ids, `member ${id}`);
    assert.deepEqual(confState.votersOutgoing, [], `member ${id} left the joint configuration`);
  }
});

test('joint consensus with an explicit transition waits for the empty change to leave', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  const node = cluster.member(1n).node;
  node.proposeConfChange({ transition: ConfChangeTransition.JointExplicit, changes: [{ type: ConfChangeType.RemoveNode, nodeId: 3n }] });
  cluster.stabilize();
  assert.deepEqual(cluster.raft(1n).tracker.confState().votersOutgoing, ids);
  // Other changes are refused while joint; only leaving is allowed.
  assert.throws(() => node.proposeConfChange({ id: 9n, type: ConfChangeType.AddLearnerNode, nodeId: 4n }), isDropped('conf-change-pending'));
  node.proposeConfChange({ transition: ConfChangeTransition.Auto, changes: [] });
  cluster.stabilize();
  assert.deepEqual(cluster.raft(1n).tracker.confState().voters, [1n, 2n]);
  assert.deepEqual(cluster.raft(1n).tracker.confState().votersOutgoing, []);
});

test('in a joint configuration, committing needs a majority of both the old and the new voters', () => {
  const cluster = new TestCluster(ids);
  cluster.start(4n);
  cluster.start(5n);
  cluster.elect(1n);
  // Replace 2 and 3 by 4 and 5: joint (1 4 5) && (1 2 3).
  cluster.member(1n).node.proposeConfChange({
    transition: ConfChangeTransition.JointExplicit,
    changes: [
      { type: ConfChangeType.AddNode, nodeId: 4n },
      { type: ConfChangeType.AddNode, nodeId: 5n },
      { type: ConfChangeType.RemoveNode, nodeId: 2n },
      { type: ConfChangeType.RemoveNode, nodeId: 3n },
    ],
  });
  cluster.stabilize();
  assert.deepEqual(cluster.raft(1n).tracker.confState().votersOutgoing, ids);
  // Only the new half answers: a majority of (1 4 5) but not of (1 2 3).
  cluster.isolate(2n);
  cluster.isolate(3n);
  const committed = cluster.raft(1n).log.committed;
  cluster.propose(1n, 'needs both halves');
  assert.equal(cluster.raft(1n).log.committed, committed);
  cluster.heal();
  cluster.isolate(4n);
  cluster.isolate(5n);
  cluster.tickAll(2);
  // Now the old half has the entry too (and the new half had it already): it commits.
  assert.equal(cluster.raft(1n).log.committed, committed + 1);
  cluster.propose(1n, 'old half only');
  cluster.tickAll(2);
  assert.equal(cluster.raft(1n).log.committed, committed + 1, 'the old half alone is not enough either');
  cluster.heal();
  cluster.tickAll(2);
  assert.equal(cluster.raft(1n).log.committed, committed + 2);
});

test('a removed member stops campaigning', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.member(1n).node.proposeConfChange({ id: 1n, type: ConfChangeType.RemoveNode, nodeId: 3n });
  cluster.stabilize();
  assert.deepEqual(cluster.member(3n).confState?.voters, [1n, 2n]);
  cluster.isolate(1n);
  cluster.isolate(2n);
  cluster.tick(3n, 100);
  assert.equal(cluster.raft(3n).state, StateType.Follower);
  assert.equal(cluster.raft(3n).messages.filter((m) => m.type === MessageType.PreVote || m.type === MessageType.Vote).length, 0);
});

test('a leader that removes itself hands leadership to the most up-to-date voter', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.member(1n).node.proposeConfChange({ id: 1n, type: ConfChangeType.RemoveNode, nodeId: 1n });
  cluster.stabilize();
  const leader = cluster.leader();
  assert.ok(leader === 2n || leader === 3n, `leader ${leader}`);
  // The new leader no longer talks to 1; 1 learns the new term when its own heartbeats are answered.
  cluster.tickAll(2);
  assert.equal(cluster.raft(1n).state, StateType.Follower);
  cluster.propose(leader, 'after removal');
  assert.ok(cluster.member(2n).applied.includes('after removal'));
  assert.ok(cluster.member(3n).applied.includes('after removal'));
});

test('a vote rejection tells a candidate that an entry it holds is committed', () => {
  const cluster = new TestCluster(ids, { preVote: false, checkQuorum: false });
  cluster.elect(1n);
  // 3 holds entry 3 but never hears that it committed.
  cluster.dropIf = (m) => m.to === 3n && m.type === MessageType.App && m.entries.length === 0;
  cluster.propose(1n, 'committed elsewhere');
  cluster.dropIf = undefined;
  const raft3 = cluster.raft(3n);
  assert.equal(raft3.log.lastIndex(), 3);
  assert.equal(raft3.log.committed, 2);
  // 1 rejects 3's (stale-term) vote request and reports its commit index with the entry's term.
  const raft1 = cluster.raft(1n);
  raft1.step(makeMessage({ type: MessageType.Vote, from: 3n, to: 1n, term: raft1.term, logTerm: 1, index: 2 }));
  const rejection = raft1.messages.find((m) => m.type === MessageType.VoteResp && m.to === 3n)!;
  assert.equal(rejection.reject, true);
  raft3.step(rejection);
  assert.equal(raft3.log.committed, 3);
  // A rejection naming an entry we do not have teaches nothing.
  raft3.step({ ...rejection, commit: 3, logTerm: 99 });
  assert.equal(raft3.log.committed, 3);
});
