// Leader election: randomized timeouts, voting rules, pre-vote, check-quorum and the leader lease.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage } from './memory-storage.ts';
import { newRaft } from './new-raft.ts';
import { TestCluster } from './sim/test-cluster.ts';
import { MessageType, StateType } from './types.ts';
import { makeMessage } from './util.ts';

const ids = [1n, 2n, 3n];

test('a follower campaigns once its randomized election timeout elapses', () => {
  // rng 0.95 draws a timeout of electionTick + floor(0.95 * electionTick) = 19 ticks.
  const cluster = new TestCluster(ids, { rng: () => 0.95, preVote: false });
  cluster.tick(1n, 18);
  assert.equal(cluster.raft(1n).state, StateType.Follower);
  cluster.tick(1n, 1);
  assert.equal(cluster.raft(1n).state, StateType.Candidate);
  cluster.stabilize();
  assert.equal(cluster.leader(), 1n);
  assert.equal(cluster.raft(2n).lead, 1n);
});

test('randomized election timeouts cover [electionTick, 2 * electionTick)', () => {
  const seen = new Set<number>();
  for (const draw of [0, 0.05, 0.5, 0.95, 0.999999, 1]) {
    const storage = new MemoryStorage();
    storage.applySnapshot({ data: new Uint8Array(0), metadata: { index: 1, term: 1, confState: { voters: [1n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } } });
    const raft = newRaft({ id: 1n, storage, rng: () => draw, electionTick: 10 });
    assert.ok(raft.randomizedElectionTimeout >= 10 && raft.randomizedElectionTimeout < 20, `timeout ${raft.randomizedElectionTimeout}`);
    seen.add(raft.randomizedElectionTimeout);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [10, 15, 19]);
});

test('a candidate cut off from the quorum never becomes leader', () => {
  const cluster = new TestCluster(ids, { preVote: false });
  cluster.isolate(1n);
  cluster.elect(1n);
  cluster.tickAll(50);
  assert.notEqual(cluster.raft(1n).state, StateType.Leader);
  assert.ok(cluster.raft(1n).term > 1);
});

test('a voter grants one vote per term and only to candidates whose log is up to date', () => {
  const cluster = new TestCluster(ids, { preVote: false, checkQuorum: false });
  const voter = cluster.raft(3n);
  voter.step(makeMessage({ type: MessageType.Vote, from: 1n, to: 3n, term: 5, logTerm: 1, index: 1 }));
  voter.step(makeMessage({ type: MessageType.Vote, from: 2n, to: 3n, term: 5, logTerm: 1, index: 1 }));
  // A repeat of the granted vote is granted again (a lost response must not cost the candidate the election).
  voter.step(makeMessage({ type: MessageType.Vote, from: 1n, to: 3n, term: 5, logTerm: 1, index: 1 }));
  // A later term with a stale log (last entry 1/1 < ours) is rejected even though the term is new.
  voter.step(makeMessage({ type: MessageType.Vote, from: 2n, to: 3n, term: 6, logTerm: 0, index: 0 }));
  const answers = voter.messages.map((m) => `${m.to}:${m.term}:${m.reject ? 'no' : 'yes'}`);
  assert.deepEqual(answers, ['1:5:yes', '2:5:no', '1:5:yes', '2:6:no']);
  assert.equal(voter.vote, 0n);
  assert.equal(voter.term, 6);
});

test('the candidate with the more up-to-date log wins', () => {
  const cluster = new TestCluster(ids, { preVote: false });
  cluster.elect(1n);
  cluster.isolate(3n);
  cluster.propose(1n, 'only-on-1-and-2');
  cluster.heal();
  // 3 lacks the committed entry: its campaign must fail, and 2 (which has it) can win.
  cluster.elect(3n);
  assert.notEqual(cluster.leader(), 3n);
  cluster.tickAll(40);
  const leader = cluster.leader();
  assert.ok(leader === 1n || leader === 2n, `leader ${leader}`);
});

test('pre-vote: a partitioned member does not raise its term and cannot disrupt on return', () => {
  const cluster = new TestCluster(ids, { preVote: true });
  cluster.elect(1n);
  const term = cluster.raft(1n).term;
  cluster.isolate(3n);
  cluster.tick(3n, 100);
  cluster.stabilize();
  assert.equal(cluster.raft(3n).term, term, 'pre-candidates do not increase the term');
  assert.equal(cluster.raft(3n).state, StateType.PreCandidate);
  cluster.heal();
  cluster.tickAll(5);
  assert.equal(cluster.leader(), 1n);
  assert.equal(cluster.raft(1n).term, term);
  assert.equal(cluster.raft(3n).state, StateType.Follower);
});

test('without pre-vote, a returning partitioned member forces a new election', () => {
  const cluster = new TestCluster(ids, { preVote: false, checkQuorum: false });
  cluster.elect(1n);
  const term = cluster.raft(1n).term;
  cluster.isolate(3n);
  cluster.tick(3n, 100);
  cluster.stabilize();
  assert.ok(cluster.raft(3n).term > term);
  cluster.heal();
  // 3 ignores the old leader's lower-term heartbeats and campaigns at its higher term once its timer fires.
  cluster.tickAll(30);
  assert.ok(cluster.raft(1n).term > term, 'the old leader was deposed by the higher term');
});

test('check-quorum: a leader that hears from no quorum for an election timeout steps down', () => {
  const cluster = new TestCluster(ids, { checkQuorum: true });
  cluster.elect(1n);
  cluster.isolate(1n);
  cluster.tick(1n, 9);
  assert.equal(cluster.raft(1n).state, StateType.Leader);
  // Two checks: the first one after the election still sees the votes' activity.
  cluster.tick(1n, 11);
  assert.equal(cluster.raft(1n).state, StateType.Follower);
  assert.equal(cluster.raft(1n).lead, 0n);
});

test('leader lease: followers that heard from the leader recently ignore vote requests', () => {
  const cluster = new TestCluster(ids, { checkQuorum: true, preVote: false });
  cluster.elect(1n);
  const term = cluster.raft(1n).term;
  // 3 campaigns although the leader is alive (e.g. its own timer fired); 2 must not even adopt the new term.
  cluster.member(3n).node.campaign();
  cluster.stabilize();
  assert.equal(cluster.raft(2n).term, term);
  assert.equal(cluster.leader(), 1n);
  assert.notEqual(cluster.raft(3n).state, StateType.Leader);
});

test('a lower-term vote request is answered with our term, so the candidate catches up', () => {
  const cluster = new TestCluster(ids, { preVote: false, checkQuorum: false });
  const voter = cluster.raft(2n);
  voter.step(makeMessage({ type: MessageType.Vote, from: 3n, to: 2n, term: 7, logTerm: 1, index: 1 }));
  voter.messages = [];
  voter.step(makeMessage({ type: MessageType.Vote, from: 1n, to: 2n, term: 4, logTerm: 1, index: 1 }));
  assert.equal(voter.messages.length, 1);
  assert.equal(voter.messages[0].type, MessageType.VoteResp);
  assert.equal(voter.messages[0].reject, true);
  assert.equal(voter.messages[0].term, 7);
});

test('a single voter becomes leader as soon as it campaigns', () => {
  const cluster = new TestCluster([1n]);
  cluster.member(1n).node.campaign();
  assert.equal(cluster.raft(1n).state, StateType.Leader);
});
