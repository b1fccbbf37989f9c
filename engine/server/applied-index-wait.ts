// Lets callers wait until the member has applied a given log index (used after a ReadIndex round, and by
// requests that must observe their own earlier writes).

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
