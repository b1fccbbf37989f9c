// Membership change rules (simple vs joint), restoring a configuration from a ConfState, and the byte format of
// conf changes inside log entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changerInput, computeConfChange, enterJoint, leaveJoint, restoreConfState, simpleChange } from './confchange.ts';
import { decodeConfChange, decodeConfChangeV2, encodeConfChange, encodeConfChangeV2 } from './confchange-codec.ts';
import { ConfChangeError } from './errors.ts';
import { ProgressTracker } from './tracker.ts';
import { type ConfChangeSingle, ConfChangeTransition, ConfChangeType, type ConfState } from './types.ts';

const add = (nodeId: bigint): ConfChangeSingle => ({ type: ConfChangeType.AddNode, nodeId });
const learner = (nodeId: bigint): ConfChangeSingle => ({ type: ConfChangeType.AddLearnerNode, nodeId });
const remove = (nodeId: bigint): ConfChangeSingle => ({ type: ConfChangeType.RemoveNode, nodeId });

function trackerWith(confState: Partial<ConfState>): ProgressTracker {
  const tracker = new ProgressTracker(4, 0);
  const full: ConfState = { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, ...confState };
  const restored = restoreConfState(tracker, 10, full);
  tracker.setConfig(restored.config, restored.progress);
  return tracker;
}

function apply(tracker: ProgressTracker, next: ReturnType<typeof simpleChange>): ConfState {
  tracker.setConfig(next.config, next.progress);
  return tracker.confState();
}

test('a simple change may add or remove one voter, and new members probe from the last index', () => {
  const tracker = trackerWith({ voters: [1n, 2n] });
  const state = apply(tracker, simpleChange(changerInput(tracker, 10), [add(3n)]));
  assert.deepEqual(state.voters, [1n, 2n, 3n]);
  assert.equal(tracker.progress.get(3n)!.next, 10);
  assert.equal(tracker.progress.get(3n)!.recentActive, true);
  assert.throws(() => simpleChange(changerInput(tracker, 10), [add(4n), add(5n)]), /more than one voter changed/);
  assert.throws(() => simpleChange(changerInput(tracker, 10), [remove(1n), remove(2n), remove(3n)]), /removed all voters/);
  // Learners do not count as voter changes.
  assert.deepEqual(apply(tracker, simpleChange(changerInput(tracker, 10), [learner(4n), learner(5n)])).learners, [4n, 5n]);
});

test('demoting a voter in a joint configuration keeps it voting until the joint configuration is left', () => {
  const tracker = trackerWith({ voters: [1n, 2n, 3n] });
  const joint = apply(tracker, enterJoint(changerInput(tracker, 10), true, [learner(3n), add(4n)]));
  assert.deepEqual(joint, { voters: [1n, 2n, 4n], votersOutgoing: [1n, 2n, 3n], learners: [], learnersNext: [3n], autoLeave: true });
  assert.throws(() => enterJoint(changerInput(tracker, 10), false, [add(5n)]), /already joint/);
  assert.throws(() => simpleChange(changerInput(tracker, 10), [add(5n)]), /in joint config/);
  const left = apply(tracker, leaveJoint(changerInput(tracker, 10)));
  assert.deepEqual(left, { voters: [1n, 2n, 4n], votersOutgoing: [], learners: [3n], learnersNext: [], autoLeave: false });
  assert.equal(tracker.progress.get(3n)!.isLearner, true);
  assert.throws(() => leaveJoint(changerInput(tracker, 10)), /non-joint/);
});

test('a removed outgoing voter keeps its progress until the joint configuration is left', () => {
  const tracker = trackerWith({ voters: [1n, 2n, 3n] });
  apply(tracker, enterJoint(changerInput(tracker, 10), false, [remove(3n)]));
  assert.ok(tracker.progress.has(3n));
  apply(tracker, leaveJoint(changerInput(tracker, 10)));
  assert.ok(!tracker.progress.has(3n));
});

test('an invalid change leaves the current configuration untouched', () => {
  const tracker = trackerWith({ voters: [1n], learners: [2n] });
  const before = tracker.confState();
  assert.throws(() => computeConfChange(changerInput(tracker, 10), { transition: ConfChangeTransition.Auto, changes: [] }), ConfChangeError);
  assert.throws(() => simpleChange(changerInput(tracker, 10), [add(2n), remove(1n), add(3n)]), ConfChangeError);
  assert.deepEqual(tracker.confState(), before);
  assert.equal(tracker.progress.get(2n)!.isLearner, true);
});

test('a zero node ID is a no-op change (used to neutralize a refused change at apply time)', () => {
  const tracker = trackerWith({ voters: [1n, 2n] });
  const state = apply(tracker, simpleChange(changerInput(tracker, 10), [remove(0n)]));
  assert.deepEqual(state.voters, [1n, 2n]);
});

test('computeConfChange picks simple, joint or leave from the V2 change, as etcd does', () => {
  const tracker = trackerWith({ voters: [1n] });
  apply(tracker, computeConfChange(changerInput(tracker, 10), { transition: ConfChangeTransition.Auto, changes: [add(2n)] }));
  assert.equal(tracker.isJoint(), false, 'one change with auto transition is simple');
  apply(tracker, computeConfChange(changerInput(tracker, 10), { transition: ConfChangeTransition.Auto, changes: [add(3n), add(4n)] }));
  assert.equal(tracker.isJoint(), true);
  assert.equal(tracker.config.autoLeave, true);
  apply(tracker, computeConfChange(changerInput(tracker, 10), { transition: ConfChangeTransition.Auto, changes: [] }));
  assert.equal(tracker.isJoint(), false);
  apply(tracker, computeConfChange(changerInput(tracker, 10), { transition: ConfChangeTransition.JointExplicit, changes: [remove(4n)] }));
  assert.equal(tracker.isJoint(), true);
  assert.equal(tracker.config.autoLeave, false);
});

test('restoring a ConfState rebuilds joint configurations exactly', () => {
  const confState: ConfState = { voters: [1n, 2n, 4n], votersOutgoing: [1n, 2n, 3n], learners: [5n], learnersNext: [3n], autoLeave: true };
  assert.deepEqual(trackerWith(confState).confState(), confState);
  const simple: ConfState = { voters: [1n, 2n], votersOutgoing: [], learners: [3n], learnersNext: [], autoLeave: false };
  assert.deepEqual(trackerWith(simple).confState(), simple);
});

test('conf changes encode as raftpb protobuf bytes and decode back', () => {
  assert.deepEqual([...encodeConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: 2n })], [0x18, 0x02]);
  assert.deepEqual(
    [...encodeConfChange({ id: 1n, type: ConfChangeType.RemoveNode, nodeId: 300n, context: new Uint8Array([0xaa]) })],
    [0x08, 0x01, 0x10, 0x01, 0x18, 0xac, 0x02, 0x22, 0x01, 0xaa],
  );
  assert.deepEqual(
    [...encodeConfChangeV2({ transition: ConfChangeTransition.JointExplicit, changes: [learner(4n)] })],
    [0x08, 0x02, 0x12, 0x04, 0x08, 0x03, 0x10, 0x04],
  );
  assert.equal(encodeConfChangeV2({ transition: ConfChangeTransition.Auto, changes: [] }).length, 0);
  const big = { id: 0xffffffffffffffffn, type: ConfChangeType.AddLearnerNode, nodeId: 0x8000000000000001n, context: new Uint8Array([1, 2]) };
  assert.deepEqual(decodeConfChange(encodeConfChange(big)), big);
  const v2 = { transition: ConfChangeTransition.JointImplicit, changes: [add(7n), { type: ConfChangeType.AddNode, nodeId: 0n }, remove(9n)], context: new Uint8Array([5]) };
  assert.deepEqual(decodeConfChangeV2(encodeConfChangeV2(v2)), v2);
  // Unknown fields are skipped; truncated input is an error.
  assert.deepEqual(decodeConfChange(new Uint8Array([0x18, 0x05, 0x28, 0x01, 0x35, 1, 2, 3, 4])), { id: 0n, type: 0, nodeId: 5n });
  assert.throws(() => decodeConfChange(new Uint8Array([0x18])), ConfChangeError);
});
