// Runs async operations one at a time in arrival order: two clicks on "restart member" (or a reset during a
// start) must not interleave their process operations.

/** A FIFO of async operations. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `operation` after every operation queued before it; resolves or rejects with its outcome. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const result = this.tail.then(operation, operation);
    this.tail = result.then(
      () => (this.pending -= 1),
      () => (this.pending -= 1),
    );
    return result;
  }

  /** True while an operation runs or waits. */
  get busy(): boolean {
    return this.pending > 0;
  }
}
