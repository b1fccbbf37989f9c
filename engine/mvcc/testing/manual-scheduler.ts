// A Scheduler driven by hand: tests advance a virtual clock and scheduled callbacks run synchronously, in due
// order, so background work (compaction batches, the watch sync loop) is deterministic.
import type { ScheduledTask, Scheduler } from '../scheduler.ts';

interface Task {
  dueMs: number;
  sequence: number;
  callback: () => void;
  cancelled: boolean;
}

/** A deterministic Scheduler with a virtual clock. */
export class ManualScheduler implements Scheduler {
  private nowMs = 0;
  private sequence = 0;
  private tasks: Task[] = [];

  /** Virtual milliseconds elapsed. */
  get now(): number {
    return this.nowMs;
  }

  /** Number of callbacks waiting. */
  get pending(): number {
    return this.tasks.filter((task) => !task.cancelled).length;
  }

  schedule(callback: () => void, delayMs: number): ScheduledTask {
    const task: Task = { dueMs: this.nowMs + Math.max(0, delayMs), sequence: this.sequence++, callback, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => (task.cancelled = true) };
  }

  /** Advances the clock by `ms`, running every callback that falls due (including ones scheduled meanwhile). */
  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (;;) {
      const task = this.nextTask();
      if (task === undefined || task.dueMs > targetMs) break;
      this.run(task);
    }
    this.nowMs = targetMs;
  }

  /** Runs callbacks in due order until none are left; throws after `stepsMax` (a loop that never ends). */
  runUntilIdle(stepsMax = 100_000): number {
    let steps = 0;
    for (let task = this.nextTask(); task !== undefined; task = this.nextTask()) {
      if (++steps > stepsMax) throw new Error(`scheduler still busy after ${stepsMax} steps`);
      this.run(task);
    }
    return steps;
  }

  /** Runs only the next due callback; false when there is none. */
  step(): boolean {
    const task = this.nextTask();
    if (task === undefined) return false;
    this.run(task);
    return true;
  }

  private nextTask(): Task | undefined {
    this.tasks = this.tasks.filter((task) => !task.cancelled);
    let next: Task | undefined;
    for (const task of this.tasks) {
      if (next === undefined || task.dueMs < next.dueMs || (task.dueMs === next.dueMs && task.sequence < next.sequence)) next = task;
    }
    return next;
  }

  private run(task: Task): void {
    task.cancelled = true;
    this.nowMs = Math.max(this.nowMs, task.dueMs);
    task.callback();
  }
}
