// A deterministic cluster for unit tests: members over MemoryStorages that exchange messages only when the test
// says so (stabilize), with isolation and message filters. Unlike the randomized simulation, every step is
// explicit, so a test can set up an exact situation and assert on it.
import type { RaftConfig } from '../config.ts';
import { decodeConfChange, decodeConfChangeV2 } from '../confchange-codec.ts';
import { MemoryStorage } from '../memory-storage.ts';
import type { Raft } from '../raft.ts';
import { RaftNode } from '../raw-node.ts';
import { type ConfState, type Entry, EntryType, type Message, type NodeId, type ReadState, StateType } from '../types.ts';

/** One member with everything it applied. */
export interface TestMember {
  id: NodeId;
  node: RaftNode;
  storage: MemoryStorage;
  /** Normal entries applied, as text (empty leader entries included as ''). */
  applied: string[];
  appliedIndex: number;
  readStates: ReadState[];
  confState: ConfState | undefined;
}

/** Options for building a test cluster. */
export interface TestClusterOptions extends Partial<Omit<RaftConfig, 'id' | 'storage'>> {
  learners?: NodeId[];
}

const decoder = new TextDecoder();

/** Members of one test. */
export class TestCluster {
  readonly members = new Map<NodeId, TestMember>();
  /** Messages delivered so far (tests inspect them). */
  readonly trace: Message[] = [];
  private isolated = new Set<NodeId>();
  /** Messages for which this returns true are dropped. */
  dropIf: ((message: Message) => boolean) | undefined;
  private pending: Message[] = [];

  /** Voters `ids` (and learners) starting from a snapshot at index 1, so that no bootstrap entries exist. */
  constructor(ids: NodeId[], private readonly options: TestClusterOptions = {}) {
    const learners = options.learners ?? [];
    for (const id of [...ids, ...learners]) {
      const storage = new MemoryStorage();
      const confState: ConfState = { voters: ids, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
      storage.applySnapshot({ data: new Uint8Array(0), metadata: { index: 1, term: 1, confState } });
      this.start(id, storage);
    }
  }

  /** Starts (or restarts, from its storage) member `id`. */
  start(id: NodeId, storage: MemoryStorage = new MemoryStorage()): TestMember {
    const { learners: _, ...config } = this.options;
    const node = new RaftNode({ rng: () => 0, electionTick: 10, heartbeatTick: 1, ...config, id, storage });
    const member: TestMember = { id, node, storage, applied: [], appliedIndex: storage.firstIndex() - 1, readStates: [], confState: undefined };
    this.members.set(id, member);
    return member;
  }

  member(id: NodeId): TestMember {
    const member = this.members.get(id);
    if (!member) throw new Error(`no member ${id}`);
    return member;
  }

  /** The internal state machine of `id`. */
  raft(id: NodeId): Raft {
    return this.member(id).node.internalRaft;
  }

  /** The current leader with the highest term, if any. */
  leader(): NodeId | undefined {
    let best: Raft | undefined;
    for (const member of this.members.values()) {
      const raft = member.node.internalRaft;
      if (raft.state === StateType.Leader && (!best || raft.term > best.term)) best = raft;
    }
    return best?.id;
  }

  /** Cuts `id` off from everyone. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  /** Reconnects everyone. */
  heal(): void {
    this.isolated.clear();
  }

  /** Runs one Ready cycle of `id` (persist, apply, queue messages, advance). */
  processReady(id: NodeId): void {
    const member = this.member(id);
    const ready = member.node.ready();
    if (ready.hardState) member.storage.setHardState(ready.hardState);
    if (ready.snapshot) {
      member.storage.applySnapshot(ready.snapshot);
      member.appliedIndex = ready.snapshot.metadata.index;
      member.confState = ready.snapshot.metadata.confState;
    }
    member.storage.append(ready.entries);
    member.readStates.push(...ready.readStates);
    for (const entry of ready.committedEntries) this.apply(member, entry);
    this.pending.push(...ready.messages);
    member.node.advance();
  }

  private apply(member: TestMember, entry: Entry): void {
    if (entry.index !== member.appliedIndex + 1) throw new Error(`member ${member.id} applies ${entry.index} after ${member.appliedIndex}`);
    member.appliedIndex = entry.index;
    if (entry.type === EntryType.Normal) {
      member.applied.push(decoder.decode(entry.data));
      return;
    }
    const change = entry.type === EntryType.ConfChange ? decodeConfChange(entry.data) : decodeConfChangeV2(entry.data);
    member.confState = member.node.applyConfChange(change);
    // Like a server, keep the snapshot current with membership: a member added later cannot use an older one.
    member.storage.createSnapshot(entry.index, member.confState, new Uint8Array(0));
  }

  /** Delivers one queued message (or drops it); returns false when none is queued. */
  deliverOne(): boolean {
    const message = this.pending.shift();
    if (!message) return false;
    if (this.isolated.has(message.from) || this.isolated.has(message.to) || this.dropIf?.(message)) return true;
    const target = this.members.get(message.to);
    if (!target) return true;
    this.trace.push(message);
    try {
      target.node.step(message);
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'StepPeerNotFoundError') throw error;
    }
    return true;
  }

  /** Processes Readys and delivers messages until nothing is left (bounded). */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const member of this.members.values()) {
        if (member.node.hasReady()) {
          this.processReady(member.id);
          moved = true;
        }
      }
      while (this.deliverOne()) moved = true;
      if (!moved) return;
    }
    throw new Error('cluster did not stabilize');
  }

  /** Ticks `id` `count` times. */
  tick(id: NodeId, count = 1): void {
    for (let i = 0; i < count; i++) this.member(id).node.tick();
  }

  /** Ticks everyone (not isolated ones unless asked) `count` times, stabilizing after each tick. */
  tickAll(count: number): void {
    for (let i = 0; i < count; i++) {
      for (const member of this.members.values()) member.node.tick();
      this.stabilize();
    }
  }

  /** Campaigns `id` and stabilizes. */
  elect(id: NodeId): void {
    this.member(id).node.campaign();
    this.stabilize();
  }

  /** Proposes text at `id` and stabilizes. */
  propose(id: NodeId, text: string): void {
    this.member(id).node.propose(new TextEncoder().encode(text));
    this.stabilize();
  }
}
