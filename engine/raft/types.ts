// The Raft data model shared by the core, the write-ahead log, the transport and the server.
// It mirrors etcd's raftpb concepts so that behaviour can be compared with etcd-io/raft, but it is plain
// TypeScript: the core never serializes anything, the storage and transport layers own the byte formats.

/** A member ID. uint64 on the wire, so bigint here: etcd's IDs are random 64-bit numbers. */
export type NodeId = bigint;

/** The "nobody" ID: no leader known, no vote cast. */
export const NONE: NodeId = 0n;

/** What an entry's data holds. */
export enum EntryType {
  /** An application command (for Cairn: an encoded InternalRaftRequest), or empty for a leader's no-op. */
  Normal = 0,
  /** A single-step membership change (ConfChange). */
  ConfChange = 1,
  /** A joint-consensus membership change (ConfChangeV2). */
  ConfChangeV2 = 2,
}

/** One log entry. Term and index are numbers: 2^53 entries is beyond any cluster's lifetime. */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** What a member must persist before it sends messages or acknowledges anything. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

/** The membership configuration, as recorded in snapshots. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
  /** Voters of the outgoing configuration while in a joint configuration; empty otherwise. */
  votersOutgoing: NodeId[];
  /** Voters that become learners when the joint configuration is left. */
  learnersNext: NodeId[];
  /** Whether the joint configuration is left automatically once committed. */
  autoLeave: boolean;
}

/** Where a snapshot sits in the log, and the configuration at that point. */
export interface SnapshotMetadata {
  confState: ConfState;
  index: number;
  term: number;
}

/** A point-in-time image of the state machine; `data` is opaque to Raft. */
export interface Snapshot {
  data: Uint8Array;
  metadata: SnapshotMetadata;
}

/** Message kinds, numbered as in raftpb so traces read the same. */
export enum MessageType {
  Hup = 0,
  Beat = 1,
  Prop = 2,
  App = 3,
  AppResp = 4,
  Vote = 5,
  VoteResp = 6,
  Snap = 7,
  Heartbeat = 8,
  HeartbeatResp = 9,
  Unreachable = 10,
  SnapStatus = 11,
  CheckQuorum = 12,
  TransferLeader = 13,
  TimeoutNow = 14,
  ReadIndex = 15,
  ReadIndexResp = 16,
  PreVote = 17,
  PreVoteResp = 18,
}

/** A message between Raft peers (or a local message stepped into the core). */
export interface Message {
  type: MessageType;
  to: NodeId;
  from: NodeId;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  /** Opaque bytes: the read request ID for ReadIndex, the campaign kind for votes. */
  context?: Uint8Array;
}

/** Membership change operations. */
export enum ConfChangeType {
  AddNode = 0,
  RemoveNode = 1,
  UpdateNode = 2,
  AddLearnerNode = 3,
}

/** How a ConfChangeV2 enters and leaves joint consensus. */
export enum ConfChangeTransition {
  Auto = 0,
  JointImplicit = 1,
  JointExplicit = 2,
}

/** A single-step membership change, carried in an EntryType.ConfChange entry. */
export interface ConfChange {
  id: bigint;
  type: ConfChangeType;
  nodeId: NodeId;
  /** Opaque to Raft; Cairn stores the encoded member (name, peer URLs) here. */
  context?: Uint8Array;
}

/** One step of a joint-consensus membership change. */
export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: NodeId;
}

/** A membership change that may change several members at once through joint consensus. */
export interface ConfChangeV2 {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context?: Uint8Array;
}

/** A member's role. */
export enum StateType {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

/** Volatile state worth reporting (not persisted). */
export interface SoftState {
  lead: NodeId;
  raftState: StateType;
}

/** The answer to a ReadIndex request: reads with `requestContext` may be served once `index` is applied. */
export interface ReadState {
  index: number;
  requestContext: Uint8Array;
}

/**
 * Everything the core hands out in one cycle. The caller must, in this order: persist `hardState`,
 * `entries` and `snapshot`; send `messages`; apply `snapshot` then `committedEntries`; call `advance()`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  readStates: ReadState[];
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  /** Whether `hardState`, `entries` or `snapshot` must be synced to disk before messages are sent. */
  mustSync: boolean;
}
