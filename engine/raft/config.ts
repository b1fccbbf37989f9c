// Tunables of the Raft core with etcd's defaults. These are Raft's own bounds (the engine-wide ones live in
// common/limits.ts); a server passes overrides from its flags.
import { RaftConfigError } from './errors.ts';
import type { Storage } from './storage.ts';
import { NONE, type NodeId } from './types.ts';

/** How ReadIndex confirms leadership. */
export enum ReadOnlyOption {
  /** Confirm leadership with a heartbeat round to a quorum for each batch of reads (linearizable). */
  Safe = 0,
  /** Trust the leader lease (requires checkQuorum); cheaper, but clock drift can break linearizability. */
  LeaseBased = 1,
}

/** Where the core reports what it does; every method is optional to implement cheaply. */
export interface RaftLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Ticks without hearing from a leader before a follower campaigns (etcd server: 10 x 100 ms heartbeats). */
export const electionTickDefault = 10;
/** Ticks between a leader's heartbeats. */
export const heartbeatTickDefault = 1;
/** Bytes of entries in one MsgApp (etcd server: 1 MiB). */
export const maxSizePerMessageBytesDefault = 1024 * 1024;
/** MsgApps in flight to one follower while replicating (etcd server: 4096 / 8). */
export const maxInflightMessagesDefault = 512;
/** Bytes of entries in flight to one follower: bounds memory held by the transport for a slow follower. */
export const maxInflightBytesDefault = 64 * 1024 * 1024;
/** Uncommitted bytes a leader accepts before dropping proposals: a leader without a quorum cannot grow without bound. */
export const maxUncommittedEntriesBytesDefault = 256 * 1024 * 1024;

/** What a RaftNode is built from. Only id and storage are required. */
export interface RaftConfig {
  /** This member's ID; never NONE. */
  id: NodeId;
  /** The durable state (hard state, entries, snapshot) the core reads back; the caller writes it. */
  storage: Storage;
  /** Randomness for election timeouts, in [0, 1) like Math.random; injected so runs are reproducible. */
  rng: () => number;
  /** Ticks between elections; the randomized timeout is drawn from [electionTick, 2 * electionTick). */
  electionTick?: number;
  /** Ticks between heartbeats; must be smaller than electionTick. */
  heartbeatTick?: number;
  /** The last index the state machine has applied, when restarting; committed entries up to it are not handed out again. */
  applied?: number;
  /** Bytes of entries per MsgApp; 0 means one entry per message. */
  maxSizePerMessageBytes?: number;
  /** Bytes of committed entries per Ready (etcd: MaxCommittedSizePerReady, defaults to maxSizePerMessageBytes). */
  maxCommittedSizePerReadyBytes?: number;
  /** Uncommitted payload bytes the leader accepts before dropping proposals; 0 means no limit. */
  maxUncommittedEntriesBytes?: number;
  /** MsgApps in flight to one follower in the replicate state; at least 1. */
  maxInflightMessages?: number;
  /** Entry bytes in flight to one follower; 0 means no limit. */
  maxInflightBytes?: number;
  /** A leader that has not heard from a quorum for an election timeout steps down; followers honor a leader lease. */
  checkQuorum?: boolean;
  /** Run a pre-vote round before incrementing the term, so a rejoining partitioned member cannot disrupt the cluster. */
  preVote?: boolean;
  /** How ReadIndex requests are confirmed. */
  readOnlyOption?: ReadOnlyOption;
  /** Followers drop proposals instead of forwarding them to the leader. */
  disableProposalForwarding?: boolean;
  /**
   * A leader that applies its own removal (or demotion to learner) hands leadership to the most up-to-date voter
   * (a leadership transfer, retried every election timeout) instead of leading a group it is not a voter of.
   */
  stepDownOnRemoval?: boolean;
  /** Where to report elections and replication decisions; silent when absent. */
  logger?: RaftLogger;
}

/** A RaftConfig with every default filled in and checked. */
export type ResolvedRaftConfig = Required<Omit<RaftConfig, 'logger'>> & { logger: RaftLogger | undefined };

/** Fills in defaults and rejects inconsistent settings with a RaftConfigError. */
export function resolveRaftConfig(config: RaftConfig): ResolvedRaftConfig {
  const maxSizePerMessageBytes = config.maxSizePerMessageBytes ?? maxSizePerMessageBytesDefault;
  const resolved: ResolvedRaftConfig = {
    id: config.id,
    storage: config.storage,
    rng: config.rng,
    electionTick: config.electionTick ?? electionTickDefault,
    heartbeatTick: config.heartbeatTick ?? heartbeatTickDefault,
    applied: config.applied ?? 0,
    maxSizePerMessageBytes,
    maxCommittedSizePerReadyBytes: config.maxCommittedSizePerReadyBytes || maxSizePerMessageBytes,
    maxUncommittedEntriesBytes: config.maxUncommittedEntriesBytes ?? maxUncommittedEntriesBytesDefault,
    maxInflightMessages: config.maxInflightMessages ?? maxInflightMessagesDefault,
    maxInflightBytes: config.maxInflightBytes ?? maxInflightBytesDefault,
    checkQuorum: config.checkQuorum ?? true,
    preVote: config.preVote ?? true,
    readOnlyOption: config.readOnlyOption ?? ReadOnlyOption.Safe,
    disableProposalForwarding: config.disableProposalForwarding ?? false,
    stepDownOnRemoval: config.stepDownOnRemoval ?? true,
    logger: config.logger,
  };
  validate(resolved);
  return resolved;
}

function validate(config: ResolvedRaftConfig): void {
  const fail = (message: string): never => {
    throw new RaftConfigError(message);
  };
  if (config.id === NONE) fail('cannot use none as id');
  if (!config.storage) fail('storage cannot be missing');
  if (typeof config.rng !== 'function') fail('rng must be a function');
  if (!Number.isInteger(config.heartbeatTick) || config.heartbeatTick <= 0) fail('heartbeat tick must be greater than 0');
  if (!Number.isInteger(config.electionTick) || config.electionTick <= config.heartbeatTick) {
    fail('election tick must be greater than heartbeat tick');
  }
  if (!Number.isInteger(config.applied) || config.applied < 0) fail('applied must be a non-negative integer');
  if (config.maxSizePerMessageBytes < 0) fail('max size per message must not be negative');
  if (config.maxCommittedSizePerReadyBytes < 0) fail('max committed size per ready must not be negative');
  if (config.maxUncommittedEntriesBytes < 0) fail('max uncommitted entries size must not be negative');
  if (!Number.isInteger(config.maxInflightMessages) || config.maxInflightMessages <= 0) {
    fail('max inflight messages must be greater than 0');
  }
  if (config.maxInflightBytes < 0) fail('max inflight bytes must not be negative');
  if (config.readOnlyOption === ReadOnlyOption.LeaseBased && !config.checkQuorum) {
    fail('checkQuorum must be enabled when readOnlyOption is LeaseBased');
  }
}
