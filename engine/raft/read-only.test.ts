// ReadIndex: linearizable reads confirmed by a heartbeat quorum, forwarded from followers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadOnlyOption } from './config.ts';
import { ProposalDroppedError } from './errors.ts';
import { ReadOnly } from './read-only.ts';
import { TestCluster } from './sim/test-cluster.ts';
import { MessageType } from './types.ts';
import { makeMessage } from './util.ts';

const ids = [1n, 2n, 3n];
const text = (value: string) => new TextEncoder().encode(value);
const contexts = (states: { requestContext: Uint8Array }[]) => states.map((state) => new TextDecoder().decode(state.requestContext));

test('a leader answers a read at its commit index once a quorum acknowledges a heartbeat', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.propose(1n, 'x');
  const leader = cluster.member(1n);
  leader.node.readIndex(text('read-1'));
  // Nothing is answered before the heartbeat round trip.
  cluster.processReady(1n);
  assert.equal(leader.readStates.length, 0);
  cluster.stabilize();
  assert.deepEqual(contexts(leader.readStates), ['read-1']);
  assert.equal(leader.readStates[0].index, cluster.raft(1n).log.committed);
});

test('a leader cut off from the quorum never confirms a read', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.isolate(1n);
  cluster.member(1n).node.readIndex(text('stale?'));
  cluster.tickAll(5);
  assert.deepEqual(cluster.member(1n).readStates, []);
});

test('a new leader holds reads until it has committed an entry of its term', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.isolate(2n);
  cluster.isolate(3n);
  // Make 1 leader of a new term whose no-op cannot commit yet.
  const raft = cluster.raft(1n);
  raft.becomeFollower(raft.term, 0n);
  raft.step(makeMessage({ type: MessageType.Hup, from: 1n }));
  raft.step(makeMessage({ type: MessageType.PreVoteResp, from: 2n, to: 1n, term: raft.term + 1 }));
  raft.step(makeMessage({ type: MessageType.VoteResp, from: 2n, to: 1n, term: raft.term }));
  assert.equal(raft.committedEntryInCurrentTerm(), false);
  cluster.member(1n).node.readIndex(text('early'));
  assert.equal(raft.pendingReadIndexMessages.length, 1);
  cluster.heal();
  cluster.stabilize();
  assert.equal(raft.committedEntryInCurrentTerm(), true);
  assert.deepEqual(contexts(cluster.member(1n).readStates), ['early']);
  assert.equal(cluster.member(1n).readStates[0].index, raft.log.committed);
});

test('a follower forwards reads to the leader and receives the read index back', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.propose(1n, 'x');
  cluster.member(3n).node.readIndex(text('from-3'));
  cluster.stabilize();
  assert.deepEqual(contexts(cluster.member(3n).readStates), ['from-3']);
  assert.equal(cluster.member(3n).readStates[0].index, cluster.raft(1n).log.committed);
  assert.ok(cluster.trace.some((m) => m.type === MessageType.ReadIndexResp && m.to === 3n));
});

test('a read without a known leader is refused at once', () => {
  const cluster = new TestCluster(ids);
  assert.throws(
    () => cluster.member(2n).node.readIndex(text('nobody')),
    (error: unknown) => error instanceof ProposalDroppedError && error.reason === 'no-leader',
  );
});

test('a single voter answers reads without any round trip', () => {
  const cluster = new TestCluster([1n]);
  cluster.elect(1n);
  cluster.member(1n).node.readIndex(text('solo'));
  cluster.processReady(1n);
  assert.deepEqual(contexts(cluster.member(1n).readStates), ['solo']);
});

test('lease-based reads are answered by the leader without a heartbeat round', () => {
  const cluster = new TestCluster(ids, { readOnlyOption: ReadOnlyOption.LeaseBased, checkQuorum: true });
  cluster.elect(1n);
  cluster.isolate(2n);
  cluster.isolate(3n);
  cluster.member(1n).node.readIndex(text('lease'));
  cluster.processReady(1n);
  assert.deepEqual(contexts(cluster.member(1n).readStates), ['lease']);
});

test('an acknowledged read context also confirms every read queued before it', () => {
  const readOnly = new ReadOnly();
  const request = (context: string) => makeMessage({ type: MessageType.ReadIndex, entries: [{ term: 0, index: 0, type: 0, data: text(context) }] });
  readOnly.addRequest(5, request('a'));
  readOnly.addRequest(6, request('b'));
  readOnly.addRequest(7, request('c'));
  readOnly.addRequest(8, request('a')); // duplicate context: ignored
  assert.equal(readOnly.pendingCount(), 3);
  assert.deepEqual(readOnly.receiveAck(2n, text('b')), new Map([[2n, true]]));
  assert.equal(readOnly.receiveAck(2n, text('zzz')), undefined);
  const confirmed = readOnly.advance(text('b'));
  assert.deepEqual(confirmed.map((status) => status.index), [5, 6]);
  assert.equal(new TextDecoder().decode(readOnly.lastPendingRequestContext()), 'c');
  assert.equal(readOnly.pendingCount(), 1);
});
