// The local cluster as the GUI sees it: state, member start/stop/restart, logs, and the destructive operations,
// which need the confirmation phrase the GUI showed the user.
import type { LocalClusterService, OperationProgress } from '../../common/contract.ts';
import { resetConfirmation, restoreConfirmation } from '../../common/contract.ts';
import type { LocalCluster } from '../supervisor/local-cluster.ts';
import type { SnapshotLibrary } from '../snapshots/snapshot-library.ts';
import { LocalRestoreError, restoreLocalCluster } from '../snapshots/local-restore.ts';
import { utilCommand, type UtilCommand } from '../snapshots/util-command.ts';
import type { Emitter } from '../util/emitter.ts';
import { ServiceFailure, refuse, settle } from './call.ts';
import { throttledProgress } from './maintenance-service.ts';

/** The local cluster service over the supervisor (TLS and extra members: local-tls-service.ts, local-members-service.ts). */
export function createLocalClusterService(
  cluster: LocalCluster,
  library: SnapshotLibrary,
  progress: Emitter<OperationProgress>,
  util: UtilCommand = utilCommand(),
): Omit<LocalClusterService, 'tls' | 'setTls' | 'addMember' | 'removeMember'> {
  const known = (name: string): void => {
    if (!cluster.state().members.some((member) => member.name === name)) refuse('not-found', `The local cluster has no member named ${name}.`);
  };
  const unavailable = (error: unknown): never => {
    if (error instanceof ServiceFailure) throw error;
    throw new ServiceFailure({ code: 'unavailable', message: (error as Error).message });
  };
  return {
    state: () => settle(() => cluster.state()),
    start: () => settle(() => cluster.start().catch(unavailable)),
    stop: () => settle(() => cluster.stop().catch(unavailable)),
    startMember: (args) => settle(() => {
      known(args.name);
      return cluster.startMember(args.name).catch(unavailable);
    }),
    stopMember: (args) => settle(() => {
      known(args.name);
      return cluster.stopMember(args.name).catch(unavailable);
    }),
    restartMember: (args) => settle(() => {
      known(args.name);
      return cluster.restartMember(args.name).catch(unavailable);
    }),
    logs: (args) => settle(() => {
      known(args.name);
      return cluster.logs(args.name, args.lines);
    }),
    reset: (args) => settle(() => {
      if (args.confirm !== resetConfirmation) refuse('confirmation-required', `Resetting deletes every key of the local cluster. Confirm with "${resetConfirmation}".`);
      return cluster.reset(args.size).catch(unavailable);
    }),
    restoreSnapshot: (args) => settle(async () => {
      if (args.confirm !== restoreConfirmation) refuse('confirmation-required', `Restoring replaces every key of the local cluster. Confirm with "${restoreConfirmation}".`);
      if (args.snapshotId === undefined) refuse('not-supported', 'Choose a snapshot from the library to restore, or import a file into the library first ("Restore from a file…").');
      const snapshot = library.find(args.snapshotId);
      if (!snapshot) refuse('not-found', 'That snapshot is not in the library.');
      // Progress goes out on maintenance.onDidProgress under the renderer's operation id, as snapshot downloads do.
      const report = throttledProgress(progress, args.operationId, 'restore');
      try {
        const state = await restoreLocalCluster(cluster, snapshot.path, util, (step, done, total) => report('running', step, done, total, true));
        report('done', `Restored ${snapshot.importedAt === null ? `the snapshot of ${snapshot.takenAt}` : `${snapshot.fileName}, imported ${snapshot.importedAt},`} (revision ${snapshot.revision})`, snapshot.sizeBytes, snapshot.sizeBytes, true);
        return state;
      } catch (error) {
        report('failed', (error as Error).message, 0, null, true);
        if (error instanceof LocalRestoreError) refuse(error.code, error.message, error.detail);
        return unavailable(error);
      }
    }),
    onDidChangeState: cluster.onDidChangeState,
    onDidAppendLog: cluster.onDidAppendLog,
  };
}
