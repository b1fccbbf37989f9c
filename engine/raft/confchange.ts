// Membership changes: computes the next configuration (and progress map) from the current one without
// touching it, so an invalid change leaves the member as it was. Follows etcd's rules: a simple change alters
// at most one voter; anything larger goes through a joint configuration that is left by a second change.
import { ConfChangeError } from './errors.ts';
import { Inflights } from './inflights.ts';
import { Progress } from './progress.ts';
import { cloneTrackerConfig, emptyTrackerConfig, type ProgressTracker, type TrackerConfig } from './tracker.ts';
import {
  type ConfChange,
  type ConfChangeSingle,
  ConfChangeTransition,
  ConfChangeType,
  type ConfChangeV2,
  type ConfState,
  NONE,
  type NodeId,
} from './types.ts';

/** A configuration and the progress map that goes with it. */
export interface ConfigAndProgress {
  config: TrackerConfig;
  progress: Map<NodeId, Progress>;
}

/** What a change is computed against. */
export interface ChangerInput {
  config: TrackerConfig;
  progress: ReadonlyMap<NodeId, Progress>;
  maxInflightMessages: number;
  maxInflightBytes: number;
  /** The last log index: new members start probing from there. */
  lastIndex: number;
}

/** The input for changing a tracker's current configuration. */
export function changerInput(tracker: ProgressTracker, lastIndex: number): ChangerInput {
  return {
    config: tracker.config,
    progress: tracker.progress,
    maxInflightMessages: tracker.maxInflightMessages,
    maxInflightBytes: tracker.maxInflightBytes,
    lastIndex,
  };
}

/** Whether a value is a ConfChangeV2 (rather than a single-step ConfChange). */
export function isConfChangeV2(change: ConfChange | ConfChangeV2): change is ConfChangeV2 {
  return 'changes' in change;
}

/** A single-step change in V2 form. */
export function confChangeAsV2(change: ConfChange | ConfChangeV2): ConfChangeV2 {
  if (isConfChangeV2(change)) return change;
  return {
    transition: ConfChangeTransition.Auto,
    changes: [{ type: change.type, nodeId: change.nodeId }],
    context: change.context,
  };
}

/** Whether the change is the (empty) request to leave a joint configuration. */
export function isLeaveJoint(change: ConfChangeV2): boolean {
  return change.transition === ConfChangeTransition.Auto && change.changes.length === 0;
}

/** Whether the change must enter a joint configuration, and if so whether it is left automatically. */
export function enterJointMode(change: ConfChangeV2): { enter: boolean; autoLeave: boolean } {
  if (change.transition === ConfChangeTransition.Auto && change.changes.length <= 1) {
    return { enter: false, autoLeave: false };
  }
  switch (change.transition) {
    case ConfChangeTransition.Auto:
    case ConfChangeTransition.JointImplicit:
      return { enter: true, autoLeave: true };
    case ConfChangeTransition.JointExplicit:
      return { enter: true, autoLeave: false };
    default:
      throw new ConfChangeError(`unknown transition: ${String(change.transition)}`);
  }
}

/** Applies `change` to the input's configuration, choosing simple, enter-joint or leave-joint as etcd does. */
export function computeConfChange(input: ChangerInput, change: ConfChangeV2): ConfigAndProgress {
  if (isLeaveJoint(change)) return leaveJoint(input);
  const mode = enterJointMode(change);
  if (mode.enter) return enterJoint(input, mode.autoLeave, change.changes);
  return simpleChange(input, change.changes);
}

/** Enters a joint configuration: the current voters become the outgoing half, the changes shape the incoming half. */
export function enterJoint(input: ChangerInput, autoLeave: boolean, changes: readonly ConfChangeSingle[]): ConfigAndProgress {
  const { config, progress } = checkAndCopy(input);
  if (config.outgoing.size > 0) throw new ConfChangeError('config is already joint');
  if (config.incoming.size === 0) throw new ConfChangeError("can't make a zero-voter config joint");
  config.outgoing = new Set(config.incoming);
  apply(input, config, progress, changes);
  config.autoLeave = autoLeave;
  return checkAndReturn(config, progress);
}

/** Leaves a joint configuration: the outgoing half is dropped and learnersNext become learners. */
export function leaveJoint(input: ChangerInput): ConfigAndProgress {
  const { config, progress } = checkAndCopy(input);
  if (config.outgoing.size === 0) throw new ConfChangeError("can't leave a non-joint config");
  for (const id of config.learnersNext) {
    config.learners.add(id);
    progress.get(id)!.isLearner = true;
  }
  config.learnersNext.clear();
  for (const id of config.outgoing) {
    if (!config.incoming.has(id) && !config.learners.has(id)) progress.delete(id);
  }
  config.outgoing.clear();
  config.autoLeave = false;
  return checkAndReturn(config, progress);
}

/** A change of at most one voter, applied directly (a majority of the old and the new set always overlap). */
export function simpleChange(input: ChangerInput, changes: readonly ConfChangeSingle[]): ConfigAndProgress {
  const { config, progress } = checkAndCopy(input);
  if (config.outgoing.size > 0) throw new ConfChangeError("can't apply simple config change in joint config");
  apply(input, config, progress, changes);
  if (symmetricDifference(input.config.incoming, config.incoming) > 1) {
    throw new ConfChangeError('more than one voter changed without entering joint config');
  }
  return checkAndReturn(config, progress);
}

/**
 * Rebuilds the configuration described by a ConfState (from a snapshot or on restart) by replaying it as changes
 * on an empty configuration, which also checks that it is well formed.
 */
export function restoreConfState(tracker: ProgressTracker, lastIndex: number, confState: ConfState): ConfigAndProgress {
  const outgoing: ConfChangeSingle[] = confState.votersOutgoing.map((nodeId) => ({ type: ConfChangeType.AddNode, nodeId }));
  const incoming: ConfChangeSingle[] = [
    // Outgoing voters that are not incoming voters must leave the incoming half when entering joint.
    ...confState.votersOutgoing.map((nodeId) => ({ type: ConfChangeType.RemoveNode, nodeId })),
    ...confState.voters.map((nodeId) => ({ type: ConfChangeType.AddNode, nodeId })),
    ...confState.learners.map((nodeId) => ({ type: ConfChangeType.AddLearnerNode, nodeId })),
    // Learners-next are outgoing voters: adding them as learners in the joint step puts them in learnersNext.
    ...confState.learnersNext.map((nodeId) => ({ type: ConfChangeType.AddLearnerNode, nodeId })),
  ];
  const input: ChangerInput = { ...changerInput(tracker, lastIndex), config: emptyTrackerConfig(), progress: new Map() };
  const step = (next: ConfigAndProgress) => {
    input.config = next.config;
    input.progress = next.progress;
  };
  if (outgoing.length === 0) {
    for (const change of incoming) step(simpleChange(input, [change]));
  } else {
    for (const change of outgoing) step(simpleChange(input, [change]));
    step(enterJoint(input, confState.autoLeave, incoming));
  }
  return { config: input.config, progress: new Map(input.progress) };
}

function apply(input: ChangerInput, config: TrackerConfig, progress: Map<NodeId, Progress>, changes: readonly ConfChangeSingle[]): void {
  for (const change of changes) {
    // A zero node ID is a no-op: a server turns a change it refuses at apply time into one to keep logs aligned.
    if (change.nodeId === NONE) continue;
    switch (change.type) {
      case ConfChangeType.AddNode:
        makeVoter(input, config, progress, change.nodeId);
        break;
      case ConfChangeType.AddLearnerNode:
        makeLearner(input, config, progress, change.nodeId);
        break;
      case ConfChangeType.RemoveNode:
        remove(config, progress, change.nodeId);
        break;
      case ConfChangeType.UpdateNode:
        break;
      default:
        throw new ConfChangeError(`unexpected conf type ${String(change.type)}`);
    }
  }
  if (config.incoming.size === 0) throw new ConfChangeError('removed all voters');
}

function makeVoter(input: ChangerInput, config: TrackerConfig, progress: Map<NodeId, Progress>, id: NodeId): void {
  const existing = progress.get(id);
  if (!existing) {
    initProgress(input, config, progress, id, false);
    return;
  }
  existing.isLearner = false;
  config.learners.delete(id);
  config.learnersNext.delete(id);
  config.incoming.add(id);
}

function makeLearner(input: ChangerInput, config: TrackerConfig, progress: Map<NodeId, Progress>, id: NodeId): void {
  const existing = progress.get(id);
  if (!existing) {
    initProgress(input, config, progress, id, true);
    return;
  }
  if (existing.isLearner) return;
  // Remove the voter first, keeping its progress: the member stays, only its role changes.
  remove(config, progress, id);
  progress.set(id, existing);
  // An outgoing voter cannot become a learner before the joint configuration is left: it must keep voting there.
  if (config.outgoing.has(id)) {
    config.learnersNext.add(id);
  } else {
    existing.isLearner = true;
    config.learners.add(id);
  }
}

function remove(config: TrackerConfig, progress: Map<NodeId, Progress>, id: NodeId): void {
  if (!progress.has(id)) return;
  config.incoming.delete(id);
  config.learners.delete(id);
  config.learnersNext.delete(id);
  // An outgoing voter keeps its progress until the joint configuration is left.
  if (!config.outgoing.has(id)) progress.delete(id);
}

function initProgress(input: ChangerInput, config: TrackerConfig, progress: Map<NodeId, Progress>, id: NodeId, isLearner: boolean): void {
  if (isLearner) config.learners.add(id);
  else config.incoming.add(id);
  const inflights = new Inflights(input.maxInflightMessages, input.maxInflightBytes);
  // A new member counts as recently active: check-quorum must not fire before it had a chance to answer.
  progress.set(id, new Progress(0, Math.max(input.lastIndex, 1), inflights, isLearner, true));
}

function checkInvariants(config: TrackerConfig, progress: Map<NodeId, Progress>): void {
  for (const ids of [config.incoming, config.outgoing, config.learners, config.learnersNext]) {
    for (const id of ids) if (!progress.has(id)) throw new ConfChangeError(`no progress for ${id}`);
  }
  for (const id of config.learnersNext) {
    if (!config.outgoing.has(id)) throw new ConfChangeError(`${id} is in LearnersNext, but not Voters[1]`);
    if (progress.get(id)!.isLearner) throw new ConfChangeError(`${id} is in LearnersNext, but is already marked as learner`);
  }
  for (const id of config.learners) {
    if (config.outgoing.has(id)) throw new ConfChangeError(`${id} is in Learners and Voters[1]`);
    if (config.incoming.has(id)) throw new ConfChangeError(`${id} is in Learners and Voters[0]`);
    if (!progress.get(id)!.isLearner) throw new ConfChangeError(`${id} is in Learners, but is not marked as learner`);
  }
  if (config.outgoing.size === 0) {
    if (config.learnersNext.size > 0) throw new ConfChangeError('LearnersNext must be empty when not joint');
    if (config.autoLeave) throw new ConfChangeError('AutoLeave must be false when not joint');
  }
}

function checkAndCopy(input: ChangerInput): ConfigAndProgress {
  const config = cloneTrackerConfig(input.config);
  const progress = new Map<NodeId, Progress>();
  for (const [id, pr] of input.progress) progress.set(id, pr.clone());
  return checkAndReturn(config, progress);
}

function checkAndReturn(config: TrackerConfig, progress: Map<NodeId, Progress>): ConfigAndProgress {
  checkInvariants(config, progress);
  return { config, progress };
}

function symmetricDifference(left: ReadonlySet<NodeId>, right: ReadonlySet<NodeId>): number {
  let count = 0;
  for (const id of left) if (!right.has(id)) count++;
  for (const id of right) if (!left.has(id)) count++;
  return count;
}

/** A change as etcd describes it: AddNode(2) RemoveNode(3). */
export function describeConfChanges(changes: readonly ConfChangeSingle[]): string {
  return changes.map((change) => `${ConfChangeType[change.type]}(${change.nodeId})`).join(' ');
}
