// Scheduled snapshots as the GUI sees them: every connection's schedule with its next run and last outcome, and
// setting or deleting one. The runner (snapshots/schedule-runner.ts) lives in main for the app's whole life.
import type { MaintenanceService } from '../../common/contract.ts';
import type { ScheduleRunner } from '../snapshots/schedule-runner.ts';
import { refuse, settle } from './call.ts';

/** The schedule methods of the maintenance service. */
export function createSnapshotScheduleService(
  runner: ScheduleRunner,
  connectionExists: (connectionId: string) => boolean,
): Pick<MaintenanceService, 'schedules' | 'setSchedule' | 'onDidChangeSchedule'> {
  return {
    schedules: () => settle(() => runner.list()),
    setSchedule: (args) => settle(() => {
      if (args.schedule !== null && !connectionExists(args.connectionId)) refuse('not-found', 'There is no such connection to schedule snapshots of.');
      return runner.set(args.connectionId, args.schedule);
    }),
    onDidChangeSchedule: runner.onDidChange,
  };
}
