// The RaftNode contract the server relies on: the Ready/advance cycle, mustSync, single-member commits,
// stepping while a Ready is outstanding, bootstrap, restart and error reporting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConfChange } from './confchange-codec.ts';
import { ProposalDroppedError, RaftConfigError, StepLocalMessageError, StepPeerNotFoundError } from './errors.ts';
import { MemoryStorage } from './memory-storage.ts';
import { RaftNode } from './raw-node.ts';
import { EntryType, MessageType, type Ready, StateType } from './types.ts';
import { makeMessage } from './util.ts';

const text = (value: string) => new TextEncoder().encode(value);
const texts = (ready: Ready, key: 'entries' | 'committedEntries') => ready[key].map((entry) => new TextDecoder().decode(entry.data));

/** Persists a Ready into storage the way a server does, without applying anything. */
function persist(storage: MemoryStorage, ready: Ready): void {
  if (ready.hardState) storage.setHardState(ready.hardState);
  if (ready.snapshot) storage.applySnapshot(ready.snapshot);
  storage.append(ready.entries);
}

function singleNode(): { node: RaftNode; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  const node = new RaftNode({ id: 1n, storage, rng: () => 0 });
  node.bootstrap([1n]);
  node.campaign();
  for (let i = 0; i < 2; i++) {
    const ready = node.ready();
    persist(storage, ready);
    node.advance();
  }
  assert.equal(node.hasReady(), false);
  return { node, storage };
}

test('single member: bootstrap and campaign make it leader at once, and its no-op commits after one cycle', () => {
  const storage = new MemoryStorage();
  const node = new RaftNode({ id: 1n, storage, rng: () => 0 });
  node.bootstrap([1n]);
  node.campaign();
  assert.equal(node.status().softState.raftState, StateType.Leader);
  const first = node.ready();
  assert.equal(first.softState?.lead, 1n);
  assert.deepEqual(first.entries.map((entry) => entry.index), [1, 2]);
  assert.equal(first.entries[0].type, EntryType.ConfChange);
  assert.equal(decodeConfChange(first.entries[0].data).nodeId, 1n);
  // The bootstrap entry is committed by definition; the no-op waits for its own persistence.
  assert.deepEqual(first.committedEntries.map((entry) => entry.index), [1]);
  assert.equal(first.mustSync, true);
  persist(storage, first);
  node.advance();
  const second = node.ready();
  assert.deepEqual(second.committedEntries.map((entry) => entry.index), [2]);
  assert.equal(second.hardState?.commit, 2);
  assert.equal(second.mustSync, false, 'a commit index change alone needs no fsync');
});

test('single member: a proposal is in Entries of one Ready and in CommittedEntries of the next', () => {
  const { node, storage } = singleNode();
  node.propose(text('a'));
  node.propose(text('b'));
  const ready = node.ready();
  assert.deepEqual(texts(ready, 'entries'), ['a', 'b']);
  assert.deepEqual(ready.committedEntries, []);
  assert.equal(ready.mustSync, true);
  persist(storage, ready);
  node.advance();
  assert.equal(node.hasReady(), true);
  const next = node.ready();
  assert.deepEqual(texts(next, 'committedEntries'), ['a', 'b']);
  assert.deepEqual(next.entries, []);
  node.advance();
  assert.equal(node.hasReady(), false);
  assert.equal(node.status().applied, 4);
});

test('proposals and messages arriving while a Ready is outstanding go into the next Ready', () => {
  const { node, storage } = singleNode();
  node.propose(text('first'));
  const ready = node.ready();
  assert.equal(node.hasReady(), false, 'no second Ready before advance');
  assert.throws(() => node.ready());
  node.propose(text('second'));
  persist(storage, ready);
  node.advance();
  const next = node.ready();
  assert.deepEqual(texts(next, 'entries'), ['second']);
  assert.deepEqual(texts(next, 'committedEntries'), ['first']);
  persist(storage, next);
  node.advance();
  assert.deepEqual(texts(node.ready(), 'committedEntries'), ['second']);
  node.advance();
});

test('advance without ready is a bug and is refused', () => {
  const { node } = singleNode();
  assert.throws(() => node.advance());
});

test('mustSync is set exactly when term, vote, entries or a snapshot must be durable', () => {
  const storage = new MemoryStorage();
  storage.applySnapshot({ data: new Uint8Array(0), metadata: { index: 1, term: 1, confState: { voters: [1n, 2n, 3n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } } });
  const node = new RaftNode({ id: 2n, storage, rng: () => 0, preVote: false });
  // A vote request changes term and vote.
  node.step(makeMessage({ type: MessageType.Vote, from: 1n, to: 2n, term: 2, logTerm: 1, index: 1 }));
  let ready = node.ready();
  assert.equal(ready.mustSync, true);
  assert.deepEqual(ready.hardState, { term: 2, vote: 1n, commit: 1 });
  persist(storage, ready);
  node.advance();
  // A heartbeat only produces a message: nothing to sync.
  node.step(makeMessage({ type: MessageType.Heartbeat, from: 1n, to: 2n, term: 2, commit: 1 }));
  ready = node.ready();
  assert.equal(ready.mustSync, false);
  assert.equal(ready.hardState, undefined);
  assert.equal(ready.messages[0].type, MessageType.HeartbeatResp);
  node.advance();
});

test('propose without a leader throws ProposalDroppedError(no-leader)', () => {
  const storage = new MemoryStorage();
  storage.applySnapshot({ data: new Uint8Array(0), metadata: { index: 1, term: 1, confState: { voters: [1n, 2n, 3n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } } });
  const node = new RaftNode({ id: 1n, storage, rng: () => 0 });
  assert.throws(() => node.propose(text('x')), (error: unknown) => error instanceof ProposalDroppedError && error.reason === 'no-leader');
});

test('the uncommitted-size limit drops proposals beyond it, and frees up as entries are applied', () => {
  const storage = new MemoryStorage();
  const node = new RaftNode({ id: 1n, storage, rng: () => 0, maxUncommittedEntriesBytes: 100 });
  node.bootstrap([1n]);
  node.campaign();
  node.propose(new Uint8Array(60));
  assert.throws(() => node.propose(new Uint8Array(60)), (error: unknown) => error instanceof ProposalDroppedError && error.reason === 'uncommitted-size-exceeded');
  for (let i = 0; i < 2; i++) {
    persist(storage, node.ready());
    node.advance();
  }
  node.propose(new Uint8Array(60));
});

test('step refuses local message types and responses from unknown peers', () => {
  const { node } = singleNode();
  assert.throws(() => node.step(makeMessage({ type: MessageType.Hup, from: 1n })), StepLocalMessageError);
  assert.throws(() => node.step(makeMessage({ type: MessageType.AppResp, from: 9n, to: 1n, term: 2 })), StepPeerNotFoundError);
});

test('bootstrap requires peers and an empty storage', () => {
  const node = new RaftNode({ id: 1n, storage: new MemoryStorage(), rng: () => 0 });
  assert.throws(() => node.bootstrap([]), RaftConfigError);
  const { node: used } = singleNode();
  assert.throws(() => used.bootstrap([1n]), RaftConfigError);
});

test('a restarted member keeps its term, vote and log, and does not re-deliver applied entries', () => {
  const { node, storage } = singleNode();
  node.propose(text('kept'));
  persist(storage, node.ready());
  node.advance();
  persist(storage, node.ready());
  node.advance();
  const before = node.status();
  const restarted = new RaftNode({ id: 1n, storage, rng: () => 0, applied: before.applied });
  const after = restarted.status();
  assert.deepEqual(after.hardState, before.hardState);
  assert.equal(after.lastIndex, before.lastIndex);
  assert.equal(after.softState.raftState, StateType.Follower);
  assert.equal(restarted.hasReady(), false);
  // Without `applied`, committed entries after the snapshot are handed out again (for replay).
  const replaying = new RaftNode({ id: 1n, storage, rng: () => 0 });
  assert.deepEqual(texts(replaying.ready(), 'committedEntries').slice(-1), ['kept']);
});

test('status reports progress per member on the leader only', () => {
  const { node } = singleNode();
  const status = node.status();
  assert.equal(status.id, 1n);
  assert.equal(status.progress?.get(1n)?.match, 2);
  const follower = new RaftNode({ id: 2n, storage: new MemoryStorage(), rng: () => 0 });
  assert.equal(follower.status().progress, undefined);
});

test('a single member restarted without a snapshot campaigns once it has re-applied its membership', () => {
  const { node, storage } = singleNode();
  node.propose(text('kept'));
  persist(storage, node.ready());
  node.advance();
  persist(storage, node.ready());
  node.advance();
  // The storage holds no snapshot: the configuration comes back only with the bootstrap conf change entry.
  const restarted = new RaftNode({ id: 1n, storage, rng: () => 0 });
  restarted.campaign();
  assert.equal(restarted.status().softState.raftState, StateType.Follower);
  const ready = restarted.ready();
  assert.equal(ready.committedEntries[0].type, EntryType.ConfChange);
  for (const entry of ready.committedEntries) {
    if (entry.type === EntryType.ConfChange) restarted.applyConfChange(decodeConfChange(entry.data));
  }
  restarted.advance();
  assert.equal(restarted.status().softState.raftState, StateType.Leader);
  assert.ok(restarted.status().hardState.term > node.status().hardState.term);
});
