// Background work in the MVCC store (compaction batches, catching up slow watchers) runs on timers taken from
// a Scheduler, so that tests can run it step by step with a manual clock instead of waiting for real time.

/** A scheduled callback that can still be cancelled. */
export interface ScheduledTask {
  cancel(): void;
}

/** Runs callbacks later. */
export interface Scheduler {
  /** Runs `callback` once, no sooner than `delayMs` from now. */
  schedule(callback: () => void, delayMs: number): ScheduledTask;
}

/** Real timers; they do not keep the process alive (unfinished work resumes or is redone after a restart). */
export const timerScheduler: Scheduler = {
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
