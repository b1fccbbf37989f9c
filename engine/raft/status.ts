// A snapshot of a member's Raft state for monitoring (etcd's Status): what /metrics, the maintenance Status
// call and the desktop app show.
import type { ProgressState } from './progress.ts';
import type { Raft } from './raft.ts';
import { type ConfState, type HardState, type NodeId, type SoftState, StateType } from './types.ts';

/** What the leader knows about one member. */
export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  isLearner: boolean;
  recentActive: boolean;
  /** Whether flow control currently holds back MsgApps to it. */
  paused: boolean;
  pendingSnapshot: number;
  inflightMessages: number;
  inflightBytes: number;
}

/** A member's Raft state. */
export interface Status {
  id: NodeId;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  /** The last index in the log (persisted or not). */
  lastIndex: number;
  config: ConfState;
  leadTransferee: NodeId;
  /** Per member, only on the leader. */
  progress?: Map<NodeId, ProgressStatus>;
}

/** Reads the status of a Raft instance. */
export function getStatus(r: Raft): Status {
  const status: Status = {
    id: r.id,
    hardState: r.hardState(),
    softState: r.softState(),
    applied: r.log.applied,
    lastIndex: r.log.lastIndex(),
    config: r.tracker.confState(),
    leadTransferee: r.leadTransferee,
  };
  if (r.state === StateType.Leader) {
    const progress = new Map<NodeId, ProgressStatus>();
    r.tracker.visit((id, pr) => {
      progress.set(id, {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        isLearner: pr.isLearner,
        recentActive: pr.recentActive,
        paused: pr.isPaused(),
        pendingSnapshot: pr.pendingSnapshot,
        inflightMessages: pr.inflights.count(),
        inflightBytes: pr.inflights.bytes(),
      });
    });
    status.progress = progress;
  }
  return status;
}
