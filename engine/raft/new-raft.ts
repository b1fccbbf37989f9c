// Assembles a Raft instance with its role handlers; the one place that knows all three modules.
import type { RaftConfig } from './config.ts';
import { Raft } from './raft.ts';
import { stepCandidate, stepFollower } from './raft-follower.ts';
import { stepLeader } from './raft-leader.ts';

/** A Raft state machine restarted (or started) from config.storage. */
export function newRaft(config: RaftConfig): Raft {
  return new Raft(config, { leader: stepLeader, follower: stepFollower, candidate: stepCandidate });
}
