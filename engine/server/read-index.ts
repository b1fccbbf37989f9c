// Linearizable reads without writing to the log (Raft's ReadIndex): concurrent reads share one ReadIndex
// round, as etcd's linearizableReadLoop does; each waits until the member has applied up to the index the
// leader confirmed, then reads locally. A round's request or answer can be lost between members (a dropped
// peer message), so an unanswered round asks again every readIndexRetryMs, as etcd does. A round's context is a
// request ID unique across members (etcd's idutil): the leader ignores a context it already has pending, so
// contexts that repeat across members (a per-member counter) dropped one member's rounds until their retry.
import { Errors } from '../common/errors.ts';
import { readIndexRetryMs } from '../common/limits.ts';

/** What the read coordinator needs from the member. */
export interface ReadIndexHost {
  /** Asks Raft for a read index; the answer arrives through `onReadState`. */
  requestReadIndex(context: Uint8Array): void;
  /** A request ID no other member hands out (the round's context). */
  nextRequestId(): bigint;
  /** The member's applied index. */
  appliedIndex(): number;
}

interface PendingRound {
  context: string;
  waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>;
  timer: NodeJS.Timeout;
  retry: NodeJS.Timeout;
}

/** Batches linearizable reads into ReadIndex rounds and releases them once applied. */
export class ReadIndexCoordinator {
  /** Reads waiting for the next round to start. */
  private queued: PendingRound['waiters'] = [];
  /** Rounds sent to Raft, by context. */
  private readonly inFlight = new Map<string, PendingRound>();
  /** Rounds confirmed at an index, waiting for apply. */
  private readonly confirmed: Array<{ index: number; waiters: PendingRound['waiters'] }> = [];
  private scheduled = false;

  constructor(
    private readonly host: ReadIndexHost,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves once a linearizable read may be served locally. */
  waitForLinearizableRead(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.startRound());
      }
    });
  }

  private startRound(): void {
    this.scheduled = false;
    if (this.queued.length === 0) return;
    const waiters = this.queued;
    this.queued = [];
    const context = Buffer.alloc(8);
    context.writeBigUInt64BE(this.host.nextRequestId());
    const key = context.toString('hex');
    const timer = setTimeout(() => {
      clearInterval(retry);
      this.inFlight.delete(key);
      for (const waiter of waiters) waiter.reject(Errors.Timeout);
    }, this.timeoutMs);
    const retry = setInterval(() => {
      try {
        this.host.requestReadIndex(context);
      } catch {
        // No leader at the moment: the next retry, or the timeout, settles the round.
      }
    }, readIndexRetryMs);
    this.inFlight.set(key, { context: key, waiters, timer, retry });
    try {
      this.host.requestReadIndex(context);
    } catch (error) {
      clearTimeout(timer);
      clearInterval(retry);
      this.inFlight.delete(key);
      for (const waiter of waiters) waiter.reject(error as Error);
    }
  }

  /** Raft confirmed `index` for the round with `context`. */
  onReadState(context: Uint8Array, index: number): void {
    const key = Buffer.from(context).toString('hex');
    const round = this.inFlight.get(key);
    if (!round) return;
    clearTimeout(round.timer);
    clearInterval(round.retry);
    this.inFlight.delete(key);
    this.confirmed.push({ index, waiters: round.waiters });
    this.onApplied(this.host.appliedIndex());
  }

  /** The member applied up to `appliedIndex`: release the reads that were waiting for it. */
  onApplied(appliedIndex: number): void {
    for (let position = 0; position < this.confirmed.length; ) {
      const round = this.confirmed[position]!;
      if (round.index <= appliedIndex) {
        this.confirmed.splice(position, 1);
        for (const waiter of round.waiters) waiter.resolve();
      } else position++;
    }
  }

  /**
   * Fails the reads whose read point was asked and not yet answered: after a leader change the answer may never
   * come. Reads already confirmed stay valid and wait for their index; queued ones go to the new leader.
   */
  rejectInFlight(error: Error): void {
    for (const round of this.inFlight.values()) {
      clearTimeout(round.timer);
      clearInterval(round.retry);
      for (const waiter of round.waiters) waiter.reject(error);
    }
    this.inFlight.clear();
  }

  /** Fails every pending read (member stopping). */
  rejectAll(error: Error): void {
    for (const round of this.inFlight.values()) {
      clearTimeout(round.timer);
      clearInterval(round.retry);
      for (const waiter of round.waiters) waiter.reject(error);
    }
    this.inFlight.clear();
    for (const round of this.confirmed) for (const waiter of round.waiters) waiter.reject(error);
    this.confirmed.length = 0;
    for (const waiter of this.queued) waiter.reject(error);
    this.queued = [];
  }
}
