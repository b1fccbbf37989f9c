// A min-heap of lease IDs ordered by a time (an expiry or a checkpoint deadline). It holds at most one entry per
// lease and knows where each entry sits, so renewing a lease moves its entry instead of adding another: the
// heap never grows beyond the number of leases, however often clients renew.
import { assert } from '../common/assert.ts';

/** One queued lease and its time in milliseconds. */
export interface LeaseQueueEntry {
  readonly id: bigint;
  readonly timeMs: number;
}

/** An indexed min-heap of lease IDs by time; ties are broken by ID so that the order is deterministic. */
export class LeaseQueue {
  private readonly heap: LeaseQueueEntry[] = [];
  private readonly positions = new Map<bigint, number>();

  /** Number of queued leases. */
  get size(): number {
    return this.heap.length;
  }

  /** Whether `id` is queued. */
  has(id: bigint): boolean {
    return this.positions.has(id);
  }

  /** Queues `id` at `timeMs`, or moves it there when it is already queued. */
  upsert(id: bigint, timeMs: number): void {
    assert(!Number.isNaN(timeMs), 'lease queue time must be a number');
    const position = this.positions.get(id);
    if (position === undefined) {
      this.heap.push({ id, timeMs });
      this.positions.set(id, this.heap.length - 1);
      this.up(this.heap.length - 1);
      return;
    }
    this.heap[position] = { id, timeMs };
    this.fix(position);
  }

  /** Removes `id` if queued. */
  remove(id: bigint): void {
    const position = this.positions.get(id);
    if (position === undefined) return;
    this.removeAt(position);
  }

  /** The earliest entry, without removing it. */
  peek(): LeaseQueueEntry | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest entry. */
  pop(): LeaseQueueEntry | undefined {
    if (this.heap.length === 0) return undefined;
    const first = this.heap[0]!;
    this.removeAt(0);
    return first;
  }

  /** Empties the queue. */
  clear(): void {
    this.heap.length = 0;
    this.positions.clear();
  }

  private removeAt(position: number): void {
    const removed = this.heap[position]!;
    const last = this.heap.pop()!;
    this.positions.delete(removed.id);
    if (position < this.heap.length) {
      this.heap[position] = last;
      this.positions.set(last.id, position);
      this.fix(position);
    }
    assert(this.positions.size === this.heap.length, 'lease queue index out of step with its heap');
  }

  private fix(position: number): void {
    if (!this.up(position)) this.down(position);
  }

  private less(a: number, b: number): boolean {
    const left = this.heap[a]!;
    const right = this.heap[b]!;
    return left.timeMs < right.timeMs || (left.timeMs === right.timeMs && left.id < right.id);
  }

  private swap(a: number, b: number): void {
    const left = this.heap[a]!;
    const right = this.heap[b]!;
    this.heap[a] = right;
    this.heap[b] = left;
    this.positions.set(right.id, a);
    this.positions.set(left.id, b);
  }

  /** Sifts up; returns whether the entry moved. */
  private up(position: number): boolean {
    let current = position;
    while (current > 0) {
      const parent = (current - 1) >> 1;
      if (!this.less(current, parent)) break;
      this.swap(current, parent);
      current = parent;
    }
    return current !== position;
  }

  private down(position: number): void {
    let current = position;
    for (;;) {
      const left = 2 * current + 1;
      const right = left + 1;
      let smallest = current;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === current) return;
      this.swap(current, smallest);
      current = smallest;
    }
  }
}
