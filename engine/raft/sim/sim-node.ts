// One simulated member: a RaftNode over a MemoryStorage that stands for its disk, and a tiny state machine
// (a running hash of applied entries) that is snapshotted and compacted. A crash loses everything but the
// storage; a restart rebuilds the member from it, as a server restarts from its write-ahead log.
import { assert, AssertionError } from '../../common/assert.ts';
import type { RaftConfig } from '../config.ts';
import { decodeConfChange, decodeConfChangeV2 } from '../confchange-codec.ts';
import { ConfChangeError } from '../errors.ts';
import { MemoryStorage } from '../memory-storage.ts';
import { RaftNode } from '../raw-node.ts';
import { type ConfState, type Entry, EntryType, type Message, type NodeId, type ReadState, type Ready } from '../types.ts';
import { emptyConfState } from '../util.ts';
import type { Rng } from './rng.ts';

/** What the harness observes while a member applies and persists. */
export interface NodeObserver {
  onPersisted(node: SimNode, entries: readonly Entry[]): void;
  onApplied(node: SimNode, entry: Entry, hash: number, confState: ConfState | undefined): void;
  onSnapshotRestored(node: SimNode, index: number, hash: number): void;
  onReadStates(node: SimNode, states: readonly ReadState[]): void;
}

/** Settings shared by every member of a run. */
export type NodeSettings = Omit<RaftConfig, 'id' | 'storage' | 'rng' | 'applied'>;

/** FNV-1a over the previous hash, the index and the payload: equal hashes mean equal applied histories. */
function nextHash(hash: number, entry: Entry): number {
  let h = (hash ^ entry.index) >>> 0;
  h = Math.imul(h, 0x01000193) >>> 0;
  h = (h ^ entry.type) >>> 0;
  for (let i = 0; i < entry.data.length; i++) {
    h ^= entry.data[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function encodeState(index: number, hash: number): Uint8Array {
  return new TextEncoder().encode(`${index}:${hash}`);
}

function decodeState(data: Uint8Array): { index: number; hash: number } {
  const [index, hash] = new TextDecoder().decode(data).split(':').map(Number);
  return { index, hash };
}

/** A simulated member. */
export class SimNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  node!: RaftNode;
  crashed = false;
  appliedIndex = 0;
  hash = 0;
  confState: ConfState = emptyConfState();
  /** A Ready whose persistence is done but whose sending/applying is still to come (asynchronous mode). */
  private inProgress: Ready | undefined;

  constructor(
    id: NodeId,
    private readonly settings: NodeSettings,
    private readonly rng: Rng,
    private readonly observer: NodeObserver,
  ) {
    this.id = id;
    this.storage = new MemoryStorage();
  }

  /** Starts (or restarts) the member from its storage. */
  start(): void {
    const snapshot = this.storage.snapshot();
    const { index, hash } = snapshot.metadata.index > 0 ? decodeState(snapshot.data) : { index: 0, hash: 0 };
    this.appliedIndex = index;
    this.hash = hash;
    this.confState = snapshot.metadata.confState;
    this.inProgress = undefined;
    this.crashed = false;
    const rng = this.rng.fork();
    this.node = new RaftNode({ ...this.settings, id: this.id, storage: this.storage, rng: () => rng.next(), applied: index });
  }

  /** Loses all volatile state. */
  crash(): void {
    this.crashed = true;
    this.inProgress = undefined;
  }

  /** Whether a Ready is half done. */
  busy(): boolean {
    return this.inProgress !== undefined;
  }

  /**
   * Takes a Ready and persists it; with `split`, sending and applying wait for finishReady() so that messages
   * and ticks can be stepped in between, as with a server's asynchronous fsync.
   */
  startReady(split: boolean): Message[] {
    assert(!this.inProgress, 'a Ready is already in progress');
    const ready = this.node.ready();
    if (ready.hardState) this.storage.setHardState(ready.hardState);
    if (ready.snapshot) this.storage.applySnapshot(ready.snapshot);
    this.storage.append(ready.entries);
    this.observer.onPersisted(this, ready.entries);
    this.inProgress = ready;
    return split ? [] : this.finishReady();
  }

  /** Applies the Ready in progress, advances, and returns its messages to send. */
  finishReady(): Message[] {
    const ready = this.inProgress;
    assert(ready, 'no Ready in progress');
    this.inProgress = undefined;
    if (ready.readStates.length > 0) this.observer.onReadStates(this, ready.readStates);
    if (ready.snapshot) {
      const state = decodeState(ready.snapshot.data);
      assert(state.index === ready.snapshot.metadata.index, 'snapshot data does not match its index');
      this.appliedIndex = state.index;
      this.hash = state.hash;
      this.confState = ready.snapshot.metadata.confState;
      this.observer.onSnapshotRestored(this, state.index, state.hash);
    }
    for (const entry of ready.committedEntries) this.apply(entry);
    this.node.advance();
    return ready.messages;
  }

  private apply(entry: Entry): void {
    if (!(entry.index === this.appliedIndex + 1)) throw new AssertionError(`node ${this.id} applies ${entry.index} after ${this.appliedIndex}`);
    let confState: ConfState | undefined;
    if (entry.type !== EntryType.Normal) {
      const change = entry.type === EntryType.ConfChange ? decodeConfChange(entry.data) : decodeConfChangeV2(entry.data);
      try {
        confState = this.node.applyConfChange(change);
      } catch (error) {
        // Deterministic on every member: the configuration stays as it was everywhere.
        if (!(error instanceof ConfChangeError)) throw error;
        confState = this.node.status().config;
      }
      this.confState = confState;
    }
    this.hash = nextHash(this.hash, entry);
    this.appliedIndex = entry.index;
    this.observer.onApplied(this, entry, this.hash, confState);
  }

  /** Snapshots the applied state and compacts the log up to `keep` entries behind it. */
  snapshotAndCompact(keep: number): void {
    const current = this.storage.snapshot().metadata.index;
    if (this.appliedIndex <= current || this.appliedIndex > this.storage.lastIndex()) return;
    this.storage.createSnapshot(this.appliedIndex, this.confState, encodeState(this.appliedIndex, this.hash));
    const compactTo = this.appliedIndex - keep;
    if (compactTo > this.storage.firstIndex() - 1) this.storage.compact(compactTo);
  }
}
