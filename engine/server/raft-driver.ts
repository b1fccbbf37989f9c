// Drives the Raft core: ticks it on the heartbeat clock and runs the Ready cycle in the order Raft requires
// (persist hard state and entries -> send messages -> apply the snapshot and committed entries -> advance),
// except that already-persisted committed entries are applied while the new entries are being persisted.
// One cycle runs at a time; proposals that arrive while the log is being fsynced collect in Raft's unstable
// log and are persisted together by the next cycle, which is the group commit of the write path.
import { StateType, type Entry, type HardState, type Message, type Ready, type ReadState, type Snapshot, type SoftState } from '../raft/types.ts';

/** The Raft core as the driver uses it (engine/raft's RaftNode). */
export interface RaftCore {
  tick(): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(): void;
}

/** Where the driver hands each part of a Ready. */
export interface RaftDriverHost {
  /** Persists hard state, entries and snapshot (durably when `sync`), and adds them to Raft's storage. */
  persist(hardState: HardState | undefined, entries: Entry[], snapshot: Snapshot | undefined, sync: boolean): Promise<void>;
  /** Sends messages to peers (no-op for a single member). */
  send(messages: Message[]): void;
  /** Applies a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): Promise<void>;
  /** Applies committed entries in order. */
  applyEntries(entries: Entry[]): void;
  /** Leadership or role changed. */
  onSoftState(state: SoftState): void;
  /** ReadIndex answers. */
  onReadStates(states: ReadState[]): void;
  /** A cycle failed: storage is broken, and the member must stop rather than diverge. */
  onFatal(error: Error): void;
}

/** Runs Raft's clock and Ready cycles. */
export class RaftDriver {
  private running = false;
  private rerun = false;
  private stopped = false;
  private ticker: NodeJS.Timeout | undefined;
  private isLeader = false;

  constructor(
    private readonly raft: RaftCore,
    private readonly host: RaftDriverHost,
    private readonly tickMs: number,
  ) {}

  /** Starts ticking and processes anything already pending. */
  start(): void {
    this.ticker = setInterval(() => {
      this.raft.tick();
      this.schedule();
    }, this.tickMs);
    this.schedule();
  }

  /** Stops ticking; the cycle in progress finishes. */
  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
  }

  /** Call after anything is stepped or proposed into Raft. */
  schedule(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    setImmediate(() => void this.runCycles());
  }

  private async runCycles(): Promise<void> {
    try {
      do {
        this.rerun = false;
        while (!this.stopped && this.raft.hasReady()) await this.runCycle(this.raft.ready());
      } while (this.rerun && !this.stopped);
    } catch (error) {
      this.stopped = true;
      if (this.ticker) clearInterval(this.ticker);
      this.host.onFatal(error as Error);
    } finally {
      this.running = false;
    }
  }

  private async runCycle(ready: Ready): Promise<void> {
    if (ready.softState) {
      this.isLeader = ready.softState.raftState === StateType.Leader;
      this.host.onSoftState(ready.softState);
    }
    if (ready.readStates.length > 0) this.host.onReadStates(ready.readStates);
    if (ready.snapshot) {
      await this.host.persist(ready.hardState, ready.entries, ready.snapshot, ready.mustSync);
      this.host.send(ready.messages);
      await this.host.applySnapshot(ready.snapshot);
      if (ready.committedEntries.length > 0) this.host.applyEntries(ready.committedEntries);
    } else {
      // A leader may send its appends before its own fsync: followers persist in parallel, and the leader counts
      // itself toward a quorum only once persisted (Raft thesis 10.2.1, as etcd does). Everyone else's messages
      // (votes, append responses) promise persisted state, so they wait.
      const sendFirst = this.isLeader;
      if (sendFirst) this.host.send(ready.messages);
      // Committed entries were persisted by earlier cycles (Raft counts an entry only once persisted), so they
      // are applied while this cycle's entries are being written and fsynced.
      const persisting = this.host.persist(ready.hardState, ready.entries, undefined, ready.mustSync);
      try {
        if (ready.committedEntries.length > 0) this.host.applyEntries(ready.committedEntries);
      } finally {
        await persisting;
      }
      if (!sendFirst) this.host.send(ready.messages);
    }
    this.raft.advance();
  }
}
