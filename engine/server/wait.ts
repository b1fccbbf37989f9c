// Proposals wait for their entry to be applied: the apply loop settles the waiter registered under the
// request ID. A waiter that is never settled (the entry was lost in a leader change) is rejected by the
// caller's timeout, and removed so the registry cannot grow without bound.

/** The outcome the apply loop hands to a waiting proposal. */
export type ApplyOutcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Registry of pending proposals by request ID. */
export class WaitRegistry<T> {
  private readonly pending = new Map<bigint, (outcome: ApplyOutcome<T>) => void>();

  /**
   * Registers `id` and returns a promise settled by `trigger(id, ...)` or rejected on timeout, with
   * `timeoutError` (or what it returns when called at that moment: the reason can depend on what happened).
   */
  register(id: bigint, timeoutMs: number, timeoutError: Error | (() => Error)): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(typeof timeoutError === 'function' ? timeoutError() : timeoutError);
      }, timeoutMs);
      this.pending.set(id, (outcome) => {
        clearTimeout(timer);
        if (outcome.ok) resolve(outcome.value);
        else reject(outcome.error);
      });
    });
  }

  /** Whether a proposal with this ID is waiting here (requests proposed by other members are not). */
  isWaiting(id: bigint): boolean {
    return this.pending.has(id);
  }

  /** Settles the waiter for `id`, if any. */
  trigger(id: bigint, outcome: ApplyOutcome<T>): void {
    const settle = this.pending.get(id);
    if (!settle) return;
    this.pending.delete(id);
    settle(outcome);
  }

  /** Rejects every waiter (on stop or leadership loss). */
  rejectAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const settle of waiting) settle({ ok: false, error });
  }

  /** How many proposals are waiting. */
  get size(): number {
    return this.pending.size;
  }
}
