// Quorum arithmetic for majority and joint (two-majority) configurations: which index a quorum has
// acknowledged, and how an election stands.
import type { NodeId } from './types.ts';

/** The outcome of counting votes. */
export enum VoteResult {
  /** Neither won nor lost yet: missing votes could decide either way. */
  Pending = 1,
  /** A quorum rejected. */
  Lost = 2,
  /** A quorum granted. */
  Won = 3,
}

/** The index a voter has acknowledged, or undefined if unknown. */
export type AckedIndex = (id: NodeId) => number | undefined;

/**
 * The highest index acknowledged by a majority of `voters`. An empty configuration returns +Infinity so that
 * it never constrains a joint configuration's minimum.
 */
export function majorityCommittedIndex(voters: ReadonlySet<NodeId>, acked: AckedIndex): number {
  const n = voters.size;
  if (n === 0) return Number.POSITIVE_INFINITY;
  const indexes: number[] = [];
  for (const id of voters) indexes.push(acked(id) ?? 0);
  indexes.sort((a, b) => b - a);
  // Sorted descending, the (n/2 + 1)-th largest index is held by a majority.
  return indexes[Math.floor(n / 2)];
}

/** How an election stands in a majority configuration. An empty configuration wins (it constrains nothing). */
export function majorityVoteResult(voters: ReadonlySet<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.size === 0) return VoteResult.Won;
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === undefined) missing++;
    else if (vote) granted++;
  }
  const quorum = Math.floor(voters.size / 2) + 1;
  if (granted >= quorum) return VoteResult.Won;
  if (granted + missing >= quorum) return VoteResult.Pending;
  return VoteResult.Lost;
}

/** The voters of a (possibly joint) configuration: `outgoing` is non-empty only during joint consensus. */
export interface JointVoters {
  incoming: ReadonlySet<NodeId>;
  outgoing: ReadonlySet<NodeId>;
}

/** The highest index acknowledged by a majority of both halves. */
export function jointCommittedIndex(voters: JointVoters, acked: AckedIndex): number {
  return Math.min(majorityCommittedIndex(voters.incoming, acked), majorityCommittedIndex(voters.outgoing, acked));
}

/** An election in a joint configuration is won only if both halves win, lost if either loses. */
export function jointVoteResult(voters: JointVoters, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const incoming = majorityVoteResult(voters.incoming, votes);
  const outgoing = majorityVoteResult(voters.outgoing, votes);
  if (incoming === outgoing) return incoming;
  if (incoming === VoteResult.Lost || outgoing === VoteResult.Lost) return VoteResult.Lost;
  return VoteResult.Pending;
}
