// Typed errors of the Raft core. Storage errors are part of the Storage contract (the log reacts to them:
// a compacted index makes the leader send a snapshot); the others reach the caller of RaftNode.

/** The requested index is older than the storage's first index: it was compacted away (etcd: ErrCompacted). */
export class CompactedError extends Error {
  constructor(index: number) {
    super(`requested index ${index} is unavailable due to compaction`);
    this.name = 'CompactedError';
  }
}

/** The requested index is past the storage's last index (etcd: ErrUnavailable). */
export class UnavailableError extends Error {
  constructor(index: number) {
    super(`requested entry at index ${index} is unavailable`);
    this.name = 'UnavailableError';
  }
}

/** A snapshot older than the one the storage already has (etcd: ErrSnapOutOfDate). */
export class SnapshotOutOfDateError extends Error {
  constructor(index: number, current: number) {
    super(`requested index ${index} is older than the existing snapshot at ${current}`);
    this.name = 'SnapshotOutOfDateError';
  }
}

/** The storage is still building a snapshot; the leader retries later (etcd: ErrSnapshotTemporarilyUnavailable). */
export class SnapshotTemporarilyUnavailableError extends Error {
  constructor() {
    super('snapshot is temporarily unavailable');
    this.name = 'SnapshotTemporarilyUnavailableError';
  }
}

/** Why a proposal could not be appended. */
export type ProposalDropReason =
  | 'no-leader'
  | 'forwarding-disabled'
  | 'transfer-in-progress'
  | 'not-a-member'
  | 'uncommitted-size-exceeded'
  | 'conf-change-pending';

/** A proposal was not appended to the log and will never be committed; retrying later may succeed (etcd: ErrProposalDropped). */
export class ProposalDroppedError extends Error {
  readonly reason: ProposalDropReason;
  constructor(reason: ProposalDropReason) {
    super(`raft proposal dropped: ${reason}`);
    this.name = 'ProposalDroppedError';
    this.reason = reason;
  }
}

/** A local-only message type (Hup, Beat, ...) was passed to RaftNode.step (etcd: ErrStepLocalMsg). */
export class StepLocalMessageError extends Error {
  constructor() {
    super('raft: cannot step raft local message');
    this.name = 'StepLocalMessageError';
  }
}

/** A response came from a peer that is not in the configuration (etcd: ErrStepPeerNotFound). */
export class StepPeerNotFoundError extends Error {
  constructor() {
    super('raft: cannot step as peer not found');
    this.name = 'StepPeerNotFoundError';
  }
}

/** A membership change that cannot be applied to the current configuration; the configuration is unchanged. */
export class ConfChangeError extends Error {
  constructor(message: string) {
    super(`raft: invalid configuration change: ${message}`);
    this.name = 'ConfChangeError';
  }
}

/** An invalid RaftConfig, or a call that the node's state does not allow (bootstrap of a non-empty log). */
export class RaftConfigError extends Error {
  constructor(message: string) {
    super(`raft: ${message}`);
    this.name = 'RaftConfigError';
  }
}
