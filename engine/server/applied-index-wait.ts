// Lets callers wait until the member has applied a given log index: after a ReadIndex round, for requests that
// must observe their own earlier writes, and for simple tokens minted by an entry not yet applied here.

/** Waiters keyed by the applied index they need. */
export class AppliedIndexWait {
  private applied = 0;
  private readonly waiters: Array<{ index: number; resolve: () => void }> = [];

  constructor(initialAppliedIndex: number) {
    this.applied = initialAppliedIndex;
  }

  /** The applied index. */
  get appliedIndex(): number {
    return this.applied;
  }

  /** Resolves once `index` is applied. */
  wait(index: number): Promise<void> {
    if (index <= this.applied) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ index, resolve }));
  }

  /**
   * Resolves true once `index` is applied, or false after `timeoutMs` (the waiter is then dropped, so that a
   * request naming an index that never comes leaves nothing behind).
   */
  waitWithin(index: number, timeoutMs: number): Promise<boolean> {
    if (index <= this.applied) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        index,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const position = this.waiters.indexOf(waiter);
        if (position >= 0) this.waiters.splice(position, 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Records progress and releases the waiters it satisfies. */
  advance(appliedIndex: number): void {
    this.applied = Math.max(this.applied, appliedIndex);
    for (let position = 0; position < this.waiters.length; ) {
      const waiter = this.waiters[position]!;
      if (waiter.index <= this.applied) {
        this.waiters.splice(position, 1);
        waiter.resolve();
      } else position++;
    }
  }
}
