// A clock for the snapshot schedules whose time moves only when a test says so, firing due timers in order.
import type { ScheduleClock } from '../../../electron/main/snapshots/schedule-runner.ts';

/** A clock whose time only moves when the test says, firing due timers in order. */
export class FakeClock implements ScheduleClock {
  private time = Date.parse('2026-03-01T12:00:00Z');
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  /** Epoch milliseconds of the fake now. */
  now(): number {
    return this.time;
  }
  /** Registers a timer at now + `delayMs`. */
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + delayMs, callback });
    return id;
  }
  /** Drops a timer. */
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward by `ms`, running every timer that falls due (and awaiting what they start). */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, timer]) => timer.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      for (let round = 0; round < 10; round++) await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = target;
  }
  /** Timers not fired yet. */
  pending(): number {
    return this.timers.size;
  }
}

