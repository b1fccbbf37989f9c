// Snapshot schedules, persisted in `<userData>/snapshot-schedules.json` beside `connections.json` and keyed by
// connection id (a connection's removal removes its schedule): the schedule itself, when it runs next, the last
// run's outcome, and the ids of the snapshots it took (what retention counts and deletes).
import type { ScheduledRunResult, SnapshotSchedule } from '../../common/contract.ts';
import { array, boolean, integer, nullable, object, oneOf, text } from '../../common/validate.ts';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.ts';

/** What is kept for one connection. */
export interface ScheduleRecord {
  schedule: SnapshotSchedule;
  /** Epoch milliseconds of the next run, or null while the schedule is off. */
  nextRunAtMs: number | null;
  lastRun: ScheduledRunResult | null;
  /** Snapshots this schedule took, newest first. */
  snapshotIds: string[];
}

interface ScheduleFile {
  version: 1;
  schedules: Record<string, ScheduleRecord>;
}

const recordCheck = object<ScheduleRecord>({
  schedule: object<SnapshotSchedule>({ enabled: boolean(), intervalMinutes: integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), keep: integer({ min: 1, max: 100_000 }) }),
  nextRunAtMs: nullable(integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  lastRun: nullable(object<ScheduledRunResult>({ at: text({ max: 64 }), ok: boolean(), snapshotId: nullable(text({ max: 128 })), message: text({ max: 4096 }) })),
  snapshotIds: array(text({ min: 1, max: 128 }), { max: 100_000 }),
});

/** The schedules file. */
export class ScheduleStore {
  private readonly records = new Map<string, ScheduleRecord>();

  /** Loads `file` (a damaged record is skipped and reported; the others still run). */
  constructor(private readonly file: string) {
    const raw = readJsonFile(file) as Partial<ScheduleFile> | undefined;
    if (raw === undefined) return;
    if (oneOf([1] as const)(raw.version, 'version').ok !== true || typeof raw.schedules !== 'object' || raw.schedules === null) {
      console.warn(`${file}: not a schedules file; starting without schedules`);
      return;
    }
    for (const [connectionId, record] of Object.entries(raw.schedules)) {
      const checked = recordCheck(record, connectionId);
      if (checked.ok) this.records.set(connectionId, checked.value);
      else console.warn(`${file}: skipping the schedule of ${connectionId}: ${checked.error}`);
    }
  }

  /** Every connection id with a schedule. */
  ids(): string[] {
    return [...this.records.keys()];
  }

  get(connectionId: string): ScheduleRecord | undefined {
    return this.records.get(connectionId);
  }

  /** Saves a record (or deletes it with null) and writes the file. */
  put(connectionId: string, record: ScheduleRecord | null): void {
    if (record === null) this.records.delete(connectionId);
    else this.records.set(connectionId, record);
    const content: ScheduleFile = { version: 1, schedules: Object.fromEntries(this.records) };
    writeFileAtomic(this.file, `${JSON.stringify(content, null, 2)}\n`);
  }
}
