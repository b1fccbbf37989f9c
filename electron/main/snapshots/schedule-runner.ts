// Runs the snapshot schedules in main, so snapshots are taken whether or not a window is open: one timer per
// scheduled connection; each run saves a snapshot into the library, then deletes this schedule's oldest snapshots
// beyond `keep` (never snapshots taken by hand). The clock is injected so tests can move time.
import type { SnapshotInfo, SnapshotSchedule, SnapshotScheduleState } from '../../common/contract.ts';
import { Emitter } from '../util/emitter.ts';
import type { ScheduleRecord, ScheduleStore } from './schedule-store.ts';

/** Time and timers (the real ones by default; a fake in tests). */
export interface ScheduleClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The real clock. Timers are unref'd: a pending schedule never keeps a quitting app alive. */
export const systemClock: ScheduleClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What the runner needs from the snapshot side. */
export interface ScheduleDependencies {
  store: ScheduleStore;
  /** Takes a snapshot of the connection into the library. */
  take(connectionId: string): Promise<SnapshotInfo>;
  /** Deletes a library snapshot; false when it is already gone. */
  remove(snapshotId: string): boolean;
  /** True while the library still holds the snapshot. */
  exists(snapshotId: string): boolean;
  clock?: ScheduleClock;
}

/** Node's timers fire at most this far ahead (2^31 - 1 ms); a longer wait is done in steps. */
const timerDelayMsMax = 2_147_483_647;

/** A run that was due while the app was closed happens this long after start (the local cluster starts first). */
export const missedRunDelayMs = 30_000;

/** The snapshot schedules of every connection. */
export class ScheduleRunner {
  private readonly clock: ScheduleClock;
  private readonly timers = new Map<string, unknown>();
  private readonly running = new Set<string>();
  private readonly changes = new Emitter<SnapshotScheduleState>();
  private disposed = false;

  /** Fires with a schedule's state whenever it changes, starts a run or finishes one. */
  readonly onDidChange = this.changes.event;

  /** A runner over the saved schedules; nothing runs until `start()`. */
  constructor(private readonly deps: ScheduleDependencies) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Arms every enabled schedule; runs missed while the app was closed happen shortly after. */
  start(): void {
    const now = this.clock.now();
    for (const id of this.deps.store.ids()) {
      const record = this.deps.store.get(id)!;
      if (!record.schedule.enabled || record.nextRunAtMs === null) continue;
      if (record.nextRunAtMs < now + missedRunDelayMs) this.deps.store.put(id, { ...record, nextRunAtMs: now + missedRunDelayMs });
      this.arm(id);
    }
  }

  /** Every schedule's state. */
  list(): SnapshotScheduleState[] {
    return this.deps.store.ids().map((id) => this.stateOf(id)!);
  }

  /** Sets a connection's schedule (the next run one interval from now) or deletes it (null). */
  set(connectionId: string, schedule: SnapshotSchedule | null): SnapshotScheduleState | null {
    this.disarm(connectionId);
    if (schedule === null) {
      this.deps.store.put(connectionId, null);
      return null;
    }
    const previous = this.deps.store.get(connectionId);
    const record: ScheduleRecord = {
      schedule,
      nextRunAtMs: schedule.enabled ? this.clock.now() + schedule.intervalMinutes * 60_000 : null,
      lastRun: previous?.lastRun ?? null,
      snapshotIds: previous?.snapshotIds ?? [],
    };
    this.deps.store.put(connectionId, record);
    if (schedule.enabled) this.arm(connectionId);
    return this.announce(connectionId);
  }

  /** Stops every timer (a run in progress finishes; nothing new starts). */
  dispose(): void {
    this.disposed = true;
    for (const id of [...this.timers.keys()]) this.disarm(id);
    this.changes.dispose();
  }

  private arm(connectionId: string): void {
    const record = this.deps.store.get(connectionId);
    if (this.disposed || !record?.schedule.enabled || record.nextRunAtMs === null) return;
    const delayMs = Math.max(0, record.nextRunAtMs - this.clock.now());
    // Intervals up to a month exceed what one Node timer can wait: wake up and wait again.
    const handle = delayMs > timerDelayMsMax
      ? this.clock.setTimer(() => this.arm(connectionId), timerDelayMsMax)
      : this.clock.setTimer(() => void this.run(connectionId), delayMs);
    this.timers.set(connectionId, handle);
  }

  private disarm(connectionId: string): void {
    if (this.timers.has(connectionId)) this.clock.clearTimer(this.timers.get(connectionId));
    this.timers.delete(connectionId);
  }

  private async run(connectionId: string): Promise<void> {
    this.timers.delete(connectionId);
    if (this.running.has(connectionId) || !this.deps.store.get(connectionId)) return;
    this.running.add(connectionId);
    this.announce(connectionId);
    const at = new Date(this.clock.now()).toISOString();
    let outcome: Pick<ScheduleRecord, 'lastRun' | 'snapshotIds'>;
    try {
      const info = await this.deps.take(connectionId);
      const record = this.deps.store.get(connectionId);
      const kept = [info.id, ...(record?.snapshotIds ?? []).filter((id) => this.deps.exists(id))];
      const keep = record?.schedule.keep ?? kept.length;
      const dropped = kept.splice(keep);
      for (const id of dropped) this.deps.remove(id);
      const deleted = dropped.length === 0 ? '' : `; deleted ${dropped.length} older scheduled snapshot${dropped.length === 1 ? '' : 's'} (keeping ${keep})`;
      outcome = { lastRun: { at, ok: true, snapshotId: info.id, message: `Saved ${info.fileName} at revision ${info.revision}${deleted}.` }, snapshotIds: kept };
    } catch (error) {
      const record = this.deps.store.get(connectionId);
      outcome = { lastRun: { at, ok: false, snapshotId: null, message: (error as Error).message }, snapshotIds: record?.snapshotIds ?? [] };
    } finally {
      this.running.delete(connectionId);
    }
    // The schedule may have been changed or deleted while the snapshot was being taken: keep what the user set.
    const current = this.deps.store.get(connectionId);
    if (!current) return;
    const nextRunAtMs = current.schedule.enabled ? this.clock.now() + current.schedule.intervalMinutes * 60_000 : null;
    this.deps.store.put(connectionId, { ...current, ...outcome, nextRunAtMs: this.timers.has(connectionId) ? current.nextRunAtMs : nextRunAtMs });
    if (!this.timers.has(connectionId)) this.arm(connectionId);
    this.announce(connectionId);
  }

  private stateOf(connectionId: string): SnapshotScheduleState | null {
    const record = this.deps.store.get(connectionId);
    if (!record) return null;
    return {
      connectionId,
      schedule: record.schedule,
      nextRunAt: record.schedule.enabled && record.nextRunAtMs !== null ? new Date(record.nextRunAtMs).toISOString() : null,
      running: this.running.has(connectionId),
      lastRun: record.lastRun,
      snapshotIds: record.snapshotIds,
    };
  }

  private announce(connectionId: string): SnapshotScheduleState | null {
    const state = this.stateOf(connectionId);
    if (state && !this.disposed) this.changes.fire(state);
    return state;
  }
}
