// The leader's bookkeeping: the active configuration (voters, possibly joint, and learners), a Progress per
// member, and the votes of the current election.
import { Progress } from './progress.ts';
import { jointCommittedIndex, jointVoteResult, type JointVoters, VoteResult } from './quorum.ts';
import type { ConfState, NodeId } from './types.ts';
import { sortIds } from './util.ts';

/** A membership configuration as the tracker holds it. */
export interface TrackerConfig {
  /** Voters of the new configuration (the only one when not joint). */
  incoming: Set<NodeId>;
  /** Voters of the old configuration during joint consensus; empty otherwise. */
  outgoing: Set<NodeId>;
  /** Non-voting members. Never overlaps with incoming or outgoing. */
  learners: Set<NodeId>;
  /** Outgoing voters that become learners when the joint configuration is left. */
  learnersNext: Set<NodeId>;
  /** Whether the joint configuration is left automatically once it is applied. */
  autoLeave: boolean;
}

/** An empty configuration. */
export function emptyTrackerConfig(): TrackerConfig {
  return { incoming: new Set(), outgoing: new Set(), learners: new Set(), learnersNext: new Set(), autoLeave: false };
}

/** A deep copy of a configuration. */
export function cloneTrackerConfig(config: TrackerConfig): TrackerConfig {
  return {
    incoming: new Set(config.incoming),
    outgoing: new Set(config.outgoing),
    learners: new Set(config.learners),
    learnersNext: new Set(config.learnersNext),
    autoLeave: config.autoLeave,
  };
}

/** A configuration as etcd prints it: voters=(1 2 3)&&(1) learners=(4) autoleave. */
export function describeTrackerConfig(config: TrackerConfig): string {
  const list = (ids: Set<NodeId>) => `(${sortIds(ids).join(' ')})`;
  let text = `voters=${list(config.incoming)}`;
  if (config.outgoing.size > 0) text += `&&${list(config.outgoing)}`;
  if (config.learners.size > 0) text += ` learners=${list(config.learners)}`;
  if (config.learnersNext.size > 0) text += ` learners_next=${list(config.learnersNext)}`;
  if (config.autoLeave) text += ' autoleave';
  return text;
}

/** Configuration, progress and votes. */
export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig();
  progress: Map<NodeId, Progress> = new Map();
  votes: Map<NodeId, boolean> = new Map();
  readonly maxInflightMessages: number;
  readonly maxInflightBytes: number;
  /** Member IDs in ascending order, so that messages go out in a deterministic order. */
  private sortedIds: NodeId[] = [];

  constructor(maxInflightMessages: number, maxInflightBytes: number) {
    this.maxInflightMessages = maxInflightMessages;
    this.maxInflightBytes = maxInflightBytes;
  }

  /** Installs a configuration and its progress map (from the confchange Changer). */
  setConfig(config: TrackerConfig, progress: Map<NodeId, Progress>): void {
    this.config = config;
    this.progress = progress;
    this.sortedIds = sortIds(progress.keys());
  }

  /** The voters, as quorum functions take them. */
  voters(): JointVoters {
    return this.config;
  }

  /** The configuration in raftpb's ConfState form. */
  confState(): ConfState {
    return {
      voters: sortIds(this.config.incoming),
      votersOutgoing: sortIds(this.config.outgoing),
      learners: sortIds(this.config.learners),
      learnersNext: sortIds(this.config.learnersNext),
      autoLeave: this.config.autoLeave,
    };
  }

  /** Whether exactly one voter exists (so it alone forms a quorum). */
  isSingleton(): boolean {
    return this.config.incoming.size === 1 && this.config.outgoing.size === 0;
  }

  /** Whether the configuration is joint. */
  isJoint(): boolean {
    return this.config.outgoing.size > 0;
  }

  /** The highest index acknowledged by a quorum. */
  committed(): number {
    return jointCommittedIndex(this.config, (id) => this.progress.get(id)?.match);
  }

  /** Calls `visit` for every member in ascending ID order. */
  visit(visit: (id: NodeId, progress: Progress) => void): void {
    for (const id of this.sortedIds) {
      const progress = this.progress.get(id);
      if (progress) visit(id, progress);
    }
  }

  /** Whether a quorum was recently active (check-quorum). */
  quorumActive(): boolean {
    const active = new Map<NodeId, boolean>();
    for (const [id, progress] of this.progress) {
      if (!progress.isLearner) active.set(id, progress.recentActive);
    }
    return jointVoteResult(this.config, active) === VoteResult.Won;
  }

  /** All voters (both halves of a joint configuration), ascending. */
  voterIds(): NodeId[] {
    return sortIds(new Set([...this.config.incoming, ...this.config.outgoing]));
  }

  /** All learners, ascending. */
  learnerIds(): NodeId[] {
    return sortIds(this.config.learners);
  }

  /** Forgets the votes of the last election. */
  resetVotes(): void {
    this.votes = new Map();
  }

  /** Records a vote; only the first vote of each member counts. */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Counts granted and rejected votes of voters, and whether the election is won or lost. */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const [id, progress] of this.progress) {
      if (progress.isLearner) continue;
      const vote = this.votes.get(id);
      if (vote === undefined) continue;
      if (vote) granted++;
      else rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config, this.votes) };
  }
}
