// What a member knows right now about its cluster and itself: the leader, the term, the commit index, the
// backend's size and whether it is stopping. The Raft host writes it as Ready cycles arrive; proposals, the
// client API, the peer host and the background duties read it. One plain object with public fields, so that
// every module reads the same values with a field load instead of asking each other through calls.
import { NONE } from '../raft/types.ts';

/** A MoveLeader waiting for `target` to become the leader. */
export interface LeaderWait {
  target: bigint;
  resolve: () => void;
}

/** The member's live view of its cluster, shared by the server's modules. */
export class MemberState {
  leaderId: bigint = NONE;
  /** When the current leader was elected (this member's clock), for classifying timeouts. */
  leaderElectedMs = 0;
  currentTerm = 0;
  committedIndex = 0;
  stopping = false;
  /** The backend file size, refreshed after each applied batch: the quota check runs on every write. */
  backendTotalBytes = 0;
  /** Settled when the leader changes to the awaited member (MoveLeader). */
  readonly leaderWaits = new Set<LeaderWait>();

  constructor(readonly memberId: bigint) {}
}
