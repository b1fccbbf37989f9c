// The safety properties of Raft (Figure 3 of the paper), checked as the simulation runs:
//   election safety      at most one leader per term;
//   log matching         an (index, term) pair identifies one entry and the term of the entry before it;
//   leader completeness  a leader's log holds every entry committed before it;
//   state machine safety every member applies the same entry (and reaches the same state) at each index;
// plus linearizable ReadIndex: a read is served at an index no lower than anything committed before it was asked.
import type { ConfState, Entry, NodeId, ReadState } from '../types.ts';
import { bytesKey } from '../util.ts';
import type { SimNode } from './sim-node.ts';

/** A broken invariant. */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

function entryKey(entry: Entry): string {
  return `${entry.type}:${bytesKey(entry.data)}`;
}

function confKey(state: ConfState): string {
  return JSON.stringify(state, (_, value) => (typeof value === 'bigint' ? value.toString() : value));
}

/** Accumulated knowledge about the whole cluster's history. */
export class Checker {
  private readonly leaders = new Map<number, NodeId>();
  /** (index:term) -> entry key and the term of the previous entry (undefined when unknown). */
  private readonly logEntries = new Map<string, { key: string; previousTerm: number | undefined }>();
  /** Applied (hence committed) entries by index. */
  private readonly committed = new Map<number, { term: number; key: string }>();
  private readonly appliedHashes = new Map<number, number>();
  private readonly appliedConfs = new Map<number, string>();
  /** Read contexts -> the highest index applied anywhere when the read was requested. */
  private readonly reads = new Map<string, number>();
  maxCommittedIndex = 0;
  readsConfirmed = 0;

  /**
   * `bootstrapIndex`: the bootstrap conf changes (indexes up to it) are applied all at once by bootstrap() but one
   * by one after a restart, so the intermediate configurations legitimately differ there.
   */
  constructor(private readonly bootstrapIndex: number) {}

  /** Election safety for every current leader. */
  checkLeaders(nodes: Iterable<SimNode>): void {
    for (const sim of nodes) {
      if (sim.crashed) continue;
      const raft = sim.node.internalRaft;
      if (raft.state !== 2) continue;
      const previous = this.leaders.get(raft.term);
      if (previous !== undefined && previous !== sim.id) {
        throw new InvariantViolation(`election safety: both ${previous} and ${sim.id} led term ${raft.term}`);
      }
      if (previous === undefined) {
        this.leaders.set(raft.term, sim.id);
        this.checkLeaderCompleteness(sim);
      }
    }
  }

  private checkLeaderCompleteness(sim: SimNode): void {
    const log = sim.node.internalRaft.log;
    if (log.lastIndex() < this.maxCommittedIndex) {
      throw new InvariantViolation(`leader completeness: leader ${sim.id} ends at ${log.lastIndex()} but ${this.maxCommittedIndex} is committed`);
    }
    for (let index = log.firstIndex(); index <= this.maxCommittedIndex; index++) {
      const committed = this.committed.get(index);
      if (!committed) continue;
      const term = log.termOrUndefined(index);
      if (term !== committed.term) {
        throw new InvariantViolation(`leader completeness: leader ${sim.id} has term ${term} at committed index ${index} (term ${committed.term})`);
      }
    }
  }

  /** Log matching for entries a member just persisted. */
  onPersisted(sim: SimNode, entries: readonly Entry[]): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      let previousTerm: number | undefined;
      if (i > 0) previousTerm = entries[i - 1].term;
      else if (entry.index - 1 >= sim.storage.firstIndex() - 1) previousTerm = sim.storage.term(entry.index - 1);
      const id = `${entry.index}:${entry.term}`;
      const known = this.logEntries.get(id);
      const key = entryKey(entry);
      if (!known) {
        this.logEntries.set(id, { key, previousTerm });
        continue;
      }
      if (known.key !== key) throw new InvariantViolation(`log matching: two different entries at index ${entry.index} term ${entry.term}`);
      if (known.previousTerm !== undefined && previousTerm !== undefined && known.previousTerm !== previousTerm) {
        throw new InvariantViolation(`log matching: entry ${id} follows terms ${known.previousTerm} and ${previousTerm} on different members`);
      }
      if (known.previousTerm === undefined) known.previousTerm = previousTerm;
    }
  }

  /** State machine safety for an applied entry. */
  onApplied(sim: SimNode, entry: Entry, hash: number, confState: ConfState | undefined): void {
    const key = entryKey(entry);
    const committed = this.committed.get(entry.index);
    if (committed && (committed.term !== entry.term || committed.key !== key)) {
      throw new InvariantViolation(`state machine safety: member ${sim.id} applied a different entry at index ${entry.index}`);
    }
    if (!committed) this.committed.set(entry.index, { term: entry.term, key });
    this.maxCommittedIndex = Math.max(this.maxCommittedIndex, entry.index);
    this.checkHash(sim, entry.index, hash);
    if (confState && entry.index > this.bootstrapIndex) {
      const conf = confKey(confState);
      const known = this.appliedConfs.get(entry.index);
      if (known !== undefined && known !== conf) {
        throw new InvariantViolation(`state machine safety: member ${sim.id} reached configuration ${conf} at ${entry.index}, others ${known}`);
      }
      this.appliedConfs.set(entry.index, conf);
    }
  }

  /** State machine safety for a snapshot a member installed. */
  onSnapshotRestored(sim: SimNode, index: number, hash: number): void {
    this.checkHash(sim, index, hash);
  }

  private checkHash(sim: SimNode, index: number, hash: number): void {
    const known = this.appliedHashes.get(index);
    if (known !== undefined && known !== hash) {
      throw new InvariantViolation(`state machine safety: member ${sim.id} has state ${hash} at index ${index}, others ${known}`);
    }
    this.appliedHashes.set(index, hash);
  }

  /** Remembers what was committed when a read was requested. */
  onReadRequested(context: Uint8Array): void {
    this.reads.set(bytesKey(context), this.maxCommittedIndex);
  }

  /** A read may be served at its index only if that index covers everything committed before the request. */
  onReadStates(sim: SimNode, states: readonly ReadState[]): void {
    for (const state of states) {
      const requiredIndex = this.reads.get(bytesKey(state.requestContext));
      if (requiredIndex === undefined) continue;
      if (state.index < requiredIndex) {
        throw new InvariantViolation(`linearizable read: member ${sim.id} got read index ${state.index} but ${requiredIndex} was committed before the request`);
      }
      this.readsConfirmed++;
    }
  }

  /** The term -> leader history (for failure reports). */
  leaderHistory(): string {
    return [...this.leaders].map(([term, id]) => `${term}:${id}`).join(' ');
  }
}
