// Log replication: conflict resolution, the commit rule, batching and flow control, and snapshots.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressState } from './progress.ts';
import { TestCluster } from './sim/test-cluster.ts';
import { EntryType, MessageType, StateType } from './types.ts';
import { makeMessage } from './util.ts';

const ids = [1n, 2n, 3n];

function logOf(cluster: TestCluster, id: bigint): string[] {
  return cluster.raft(id).log.allEntries().map((entry) => `${entry.term}/${entry.index}`);
}

test('a follower\'s conflicting uncommitted entries are replaced by the new leader\'s', () => {
  const cluster = new TestCluster(ids, { preVote: false, checkQuorum: false });
  cluster.elect(1n);
  // 1 appends entries nobody else receives: they stay uncommitted.
  cluster.isolate(1n);
  for (const text of ['lost-a', 'lost-b', 'lost-c']) cluster.member(1n).node.propose(new TextEncoder().encode(text));
  cluster.stabilize();
  assert.equal(cluster.raft(1n).log.lastIndex(), 5);
  // 2 becomes leader of a later term and commits different entries at the same indexes.
  cluster.elect(2n);
  cluster.propose(2n, 'kept');
  cluster.heal();
  cluster.tickAll(3);
  assert.deepEqual(logOf(cluster, 1n), logOf(cluster, 2n));
  assert.deepEqual(cluster.member(1n).applied, cluster.member(2n).applied);
  assert.ok(!cluster.member(1n).applied.some((text) => text.startsWith('lost')));
  assert.ok(cluster.member(1n).applied.includes('kept'));
});

test('commit rule: entries of an earlier term are not committed by counting replicas', () => {
  const cluster = new TestCluster(ids, { preVote: false });
  cluster.elect(1n);
  cluster.isolate(1n);
  cluster.member(1n).node.propose(new TextEncoder().encode('old-term'));
  cluster.stabilize();
  const oldIndex = cluster.raft(1n).log.lastIndex();
  const oldTerm = cluster.raft(1n).term;
  // Hand the old-term entry to 2 only, then make 1 leader of a new term without its no-op reaching anyone.
  const raft1 = cluster.raft(1n);
  raft1.becomeFollower(raft1.term, 0n);
  raft1.step(makeMessage({ type: MessageType.Hup, from: 1n }));
  raft1.step(makeMessage({ type: MessageType.VoteResp, from: 2n, to: 1n, term: raft1.term }));
  assert.equal(raft1.state, StateType.Leader);
  assert.ok(raft1.term > oldTerm);
  raft1.messages = [];
  // A quorum (1 and 2) now holds the old-term entry, but it must not commit until an entry of this term does.
  raft1.step(makeMessage({ type: MessageType.AppResp, from: 2n, to: 1n, term: raft1.term, index: oldIndex }));
  assert.ok(raft1.log.committed < oldIndex, `committed ${raft1.log.committed}`);
  // Persisting its own no-op is the leader's acknowledgement of it.
  cluster.processReady(1n);
  raft1.step(makeMessage({ type: MessageType.AppResp, from: 2n, to: 1n, term: raft1.term, index: raft1.log.lastIndex() }));
  assert.equal(raft1.log.committed, raft1.log.lastIndex());
});

test('figure 8: an old-term entry on a majority is not committed before an entry of the current term', () => {
  const five = [1n, 2n, 3n, 4n, 5n];
  const cluster = new TestCluster(five, { preVote: false, checkQuorum: false, maxSizePerMessageBytes: 0 });
  cluster.elect(1n);
  // Term 1: leader 1 appends X at index 3 and it reaches only 2.
  cluster.dropIf = (m) => m.from === 1n && m.to !== 2n && m.type === MessageType.App;
  cluster.propose(1n, 'X');
  // Term 2: 5 leads (votes from 3 and 4) and appends its no-op at index 3, which reaches nobody.
  cluster.isolate(1n);
  cluster.isolate(2n);
  cluster.dropIf = (m) => m.from === 5n && m.type === MessageType.App;
  cluster.elect(5n);
  assert.equal(cluster.raft(5n).log.term(3), 2);
  // Term 3: 1 leads again and copies X to 3, so that X (term 1) is on a majority; its own no-op (index 4)
  // reaches nobody. Counting replicas would commit X now.
  cluster.heal();
  cluster.isolate(5n);
  cluster.dropIf = (m) =>
    m.type === MessageType.App && m.entries.some((entry) => entry.index === 4) && cluster.raft(m.to).log.matchTerm(m.index, m.logTerm);
  // 1 restarts (it still believed it led term 1); its first campaign (term 2) loses to 3's and 4's votes for 5.
  cluster.start(1n, cluster.member(1n).storage);
  cluster.elect(1n);
  cluster.elect(1n);
  assert.equal(cluster.leader(), 1n);
  assert.equal(cluster.raft(1n).term, 3);
  assert.equal(cluster.raft(3n).log.term(3), 1);
  assert.equal(cluster.raft(1n).log.committed, 2, 'X must not be committed by counting');
  // 1 fails; 5 wins term 4 with its more up-to-date log and overwrites X everywhere.
  cluster.heal();
  cluster.isolate(1n);
  cluster.dropIf = undefined;
  cluster.start(5n, cluster.member(5n).storage);
  cluster.elect(5n);
  cluster.elect(5n);
  assert.equal(cluster.leader(), 5n);
  cluster.propose(5n, 'after');
  for (const id of [2n, 3n, 4n, 5n]) {
    assert.ok(!cluster.member(id).applied.includes('X'), `member ${id} applied X`);
    assert.ok(cluster.member(id).applied.includes('after'));
  }
  assert.ok(!cluster.member(1n).applied.includes('X'), 'the old leader applied an entry that was then overwritten');
});

test('a follower with a long conflicting tail is repaired in a few probes (term-skipping rejection hints)', () => {
  const five = [1n, 2n, 3n, 4n, 5n];
  const cluster = new TestCluster(five, { preVote: false, checkQuorum: false });
  cluster.elect(1n);
  // Leader 1 reaches only 3: its 30 entries of term 1 stay uncommitted on 1 and 3.
  cluster.dropIf = (m) => m.from === 1n && m.to !== 3n;
  for (let i = 0; i < 30; i++) cluster.member(1n).node.propose(new TextEncoder().encode(`old${i}`));
  cluster.stabilize();
  cluster.dropIf = undefined;
  cluster.isolate(1n);
  cluster.isolate(3n);
  // 2 leads term 2 with 4 and 5 and commits 30 different entries at the same indexes.
  cluster.elect(2n);
  for (let i = 0; i < 30; i++) cluster.member(2n).node.propose(new TextEncoder().encode(`new${i}`));
  cluster.stabilize();
  // A new leader probes 3 from its own last index, far past the point where their logs diverge.
  cluster.elect(4n);
  cluster.heal();
  cluster.isolate(1n);
  const before = cluster.trace.length;
  cluster.tickAll(3);
  const rejections = cluster.trace.slice(before).filter((m) => m.from === 3n && m.type === MessageType.AppResp && m.reject).length;
  assert.deepEqual(logOf(cluster, 3n), logOf(cluster, 4n));
  assert.ok(!cluster.member(3n).applied.some((text) => text.startsWith('old')));
  // One probe per term rather than one per conflicting entry.
  assert.ok(rejections >= 1 && rejections <= 2, `${rejections} rejections`);
});

test('MsgApps carry at most maxSizePerMessageBytes of entries (at least one entry)', () => {
  const cluster = new TestCluster(ids, { maxSizePerMessageBytes: 100 });
  cluster.elect(1n);
  cluster.isolate(2n);
  cluster.isolate(3n);
  for (let i = 0; i < 10; i++) cluster.member(1n).node.propose(new Uint8Array(30));
  cluster.stabilize();
  cluster.heal();
  cluster.tickAll(2);
  const appends = cluster.trace.filter((m) => m.type === MessageType.App && m.entries.length > 0 && m.from === 1n);
  for (const message of appends) {
    const bytes = message.entries.reduce((sum, entry) => sum + entry.data.byteLength + 16, 0);
    assert.ok(message.entries.length === 1 || bytes <= 100, `a MsgApp of ${bytes} bytes`);
  }
  assert.ok(appends.some((m) => m.entries.length === 2), 'entries are batched');
  assert.deepEqual(logOf(cluster, 2n), logOf(cluster, 1n));
});

test('flow control: no more than maxInflightMessages unacknowledged MsgApps per follower', () => {
  const cluster = new TestCluster(ids, { maxInflightMessages: 3, maxSizePerMessageBytes: 0 });
  cluster.elect(1n);
  const progress = cluster.raft(1n).tracker.progress.get(2n)!;
  assert.equal(progress.state, ProgressState.Replicate);
  // 2's acknowledgements are lost: the window fills and the leader stops sending.
  cluster.dropIf = (m) => m.from === 2n && m.type === MessageType.AppResp;
  const before = cluster.trace.length;
  for (let i = 0; i < 10; i++) cluster.member(1n).node.propose(new TextEncoder().encode(`e${i}`));
  cluster.stabilize();
  const sent = cluster.trace.slice(before).filter((m) => m.to === 2n && m.type === MessageType.App && m.entries.length > 0);
  assert.equal(sent.length, 3);
  assert.equal(progress.inflights.count(), 3);
  assert.ok(progress.isPaused());
  // Once acknowledgements flow again, a heartbeat response frees a slot and replication resumes.
  cluster.dropIf = undefined;
  cluster.tickAll(3);
  assert.deepEqual(logOf(cluster, 2n), logOf(cluster, 1n));
});

test('flow control: the inflight byte budget pauses replication too', () => {
  const cluster = new TestCluster(ids, { maxInflightMessages: 100, maxInflightBytes: 200, maxSizePerMessageBytes: 0 });
  cluster.elect(1n);
  cluster.dropIf = (m) => m.from === 2n && m.type === MessageType.AppResp;
  const before = cluster.trace.length;
  for (let i = 0; i < 10; i++) cluster.member(1n).node.propose(new Uint8Array(84)); // 100 bytes each with framing
  cluster.stabilize();
  const sent = cluster.trace.slice(before).filter((m) => m.to === 2n && m.type === MessageType.App && m.entries.length > 0);
  assert.equal(sent.length, 2);
});

test('a probing leader sends one MsgApp per heartbeat until the follower answers', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.member(1n).node.reportUnreachable(2n);
  const progress = cluster.raft(1n).tracker.progress.get(2n)!;
  assert.equal(progress.state, ProgressState.Probe);
  cluster.isolate(2n);
  const before = cluster.raft(1n).messages.length;
  for (let i = 0; i < 5; i++) cluster.member(1n).node.propose(new TextEncoder().encode(`p${i}`));
  const toTwo = cluster.raft(1n).messages.slice(before).filter((m) => m.to === 2n && m.type === MessageType.App);
  assert.equal(toTwo.length, 1, 'only the first probe goes out');
  cluster.heal();
  cluster.stabilize();
  cluster.tickAll(2);
  assert.equal(progress.state, ProgressState.Replicate);
  assert.deepEqual(logOf(cluster, 2n), logOf(cluster, 1n));
});

test('a follower behind the compacted log receives a snapshot, then the log', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.isolate(3n);
  for (let i = 0; i < 20; i++) cluster.propose(1n, `s${i}`);
  const leader = cluster.member(1n);
  leader.storage.createSnapshot(leader.appliedIndex, cluster.raft(1n).tracker.confState(), new TextEncoder().encode('state'));
  leader.storage.compact(leader.appliedIndex);
  cluster.heal();
  cluster.tickAll(2);
  assert.ok(cluster.trace.some((m) => m.type === MessageType.Snap && m.to === 3n), 'a snapshot was sent');
  cluster.propose(1n, 'after-snapshot');
  cluster.tickAll(2);
  const follower = cluster.member(3n);
  assert.equal(follower.storage.snapshot().metadata.index, leader.storage.snapshot().metadata.index);
  assert.equal(follower.appliedIndex, leader.appliedIndex);
  // The entries s0..s19 arrived inside the snapshot; only the leader's first no-op and the new entry were applied.
  assert.deepEqual(follower.applied, ['', 'after-snapshot']);
  assert.equal(cluster.raft(1n).tracker.progress.get(3n)!.state, ProgressState.Replicate);
});

test('a failed snapshot report makes the leader probe again and resend', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(1n);
  cluster.isolate(3n);
  for (let i = 0; i < 5; i++) cluster.propose(1n, `s${i}`);
  const leader = cluster.member(1n);
  leader.storage.createSnapshot(leader.appliedIndex, cluster.raft(1n).tracker.confState(), new Uint8Array(0));
  leader.storage.compact(leader.appliedIndex);
  cluster.dropIf = (m) => m.type === MessageType.Snap;
  cluster.heal();
  cluster.tickAll(2);
  const progress = cluster.raft(1n).tracker.progress.get(3n)!;
  assert.equal(progress.state, ProgressState.Snapshot);
  cluster.dropIf = undefined;
  leader.node.reportSnapshot(3n, true);
  assert.equal(progress.state, ProgressState.Probe);
  assert.equal(progress.pendingSnapshot, 0);
  cluster.tickAll(3);
  assert.equal(progress.state, ProgressState.Replicate);
  assert.equal(cluster.member(3n).appliedIndex, leader.appliedIndex);
});

test('a new leader appends an empty entry of its term and commits it', () => {
  const cluster = new TestCluster(ids);
  cluster.elect(2n);
  const raft = cluster.raft(2n);
  const last = raft.log.allEntries().at(-1)!;
  assert.equal(last.type, EntryType.Normal);
  assert.equal(last.data.byteLength, 0);
  assert.equal(last.term, raft.term);
  assert.equal(raft.log.committed, last.index);
});
