// Proposals wait for their entry to be applied: the apply loop settles the waiter registered under the
// request ID. A waiter that is never settled (the entry was lost in a leader change) is rejected once its
// deadline passes, and removed so the registry cannot grow without bound.
//
// Deadlines share one timer, armed for the earliest of them, instead of a timer per proposal: nearly every
// proposal is settled long before its deadline, and setting and clearing a timer for each was a visible share
// of the write path's allocations. With equal timeouts the timer fires about once per timeout.

/** The outcome the apply loop hands to a waiting proposal. */
export type ApplyOutcome<T> = { ok: true; value: T } | { ok: false; error: Error };

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  deadlineMs: number;
  timeoutError: Error | (() => Error);
}

/** Registry of pending proposals by request ID. */
export class WaitRegistry<T> {
  private readonly pending = new Map<bigint, Waiter<T>>();
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (Infinity: not armed). */
  private timerAtMs = Infinity;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /**
   * Registers `id` and returns a promise settled by `trigger(id, ...)` or rejected after `timeoutMs`, with
   * `timeoutError` (or what it returns when called at that moment: the reason can depend on what happened).
   */
  register(id: bigint, timeoutMs: number, timeoutError: Error | (() => Error)): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadlineMs = this.clock() + timeoutMs;
      this.pending.set(id, { resolve, reject, deadlineMs, timeoutError });
      if (deadlineMs < this.timerAtMs) this.arm(deadlineMs);
    });
  }

  /** Whether a proposal with this ID is waiting here (requests proposed by other members are not). */
  isWaiting(id: bigint): boolean {
    return this.pending.has(id);
  }

  /** Settles the waiter for `id`, if any. */
  trigger(id: bigint, outcome: ApplyOutcome<T>): void {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.disarm();
    if (outcome.ok) waiter.resolve(outcome.value);
    else waiter.reject(outcome.error);
  }

  /** Rejects every waiter (on stop or leadership loss). */
  rejectAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.disarm();
    for (const waiter of waiting) waiter.reject(error);
  }

  /** How many proposals are waiting. */
  get size(): number {
    return this.pending.size;
  }

  private arm(atMs: number): void {
    clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(() => this.expire(), Math.max(0, atMs - this.clock()));
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = Infinity;
  }

  /** Rejects the waiters whose deadline passed and arms the timer for the earliest remaining one. */
  private expire(): void {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    const now = this.clock();
    let nextMs = Infinity;
    const expired: Waiter<T>[] = [];
    for (const [id, waiter] of this.pending) {
      if (waiter.deadlineMs <= now) {
        this.pending.delete(id);
        expired.push(waiter);
      } else {
        nextMs = Math.min(nextMs, waiter.deadlineMs);
      }
    }
    if (nextMs < Infinity) this.arm(nextMs);
    for (const waiter of expired) waiter.reject(typeof waiter.timeoutError === 'function' ? waiter.timeoutError() : waiter.timeoutError);
  }
}
