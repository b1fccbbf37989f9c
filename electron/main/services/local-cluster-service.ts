// The local cluster as the GUI sees it: state, member start/stop/restart, logs, and the destructive operations,
// which need the confirmation phrase the GUI showed the user.
import type { LocalClusterService } from '../../common/contract.ts';
import { resetConfirmation, restoreConfirmation } from '../../common/contract.ts';
import type { LocalCluster } from '../supervisor/local-cluster.ts';
import type { SnapshotLibrary } from '../snapshots/snapshot-library.ts';
import { ServiceFailure, refuse, settle } from './call.ts';

/** The local cluster service over the supervisor. */
export function createLocalClusterService(cluster: LocalCluster, library: SnapshotLibrary): LocalClusterService {
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
    restoreSnapshot: (args) => settle(() => {
      if (args.confirm !== restoreConfirmation) refuse('confirmation-required', `Restoring replaces every key of the local cluster. Confirm with "${restoreConfirmation}".`);
      if (args.snapshotId !== undefined && !library.find(args.snapshotId)) refuse('not-found', 'That snapshot is not in the library.');
      // The engine has no offline restore yet (etcdutl snapshot restore's equivalent); see electron/README.md.
      return refuse('not-supported', 'Restoring a snapshot into the local cluster needs the engine\'s "snapshot restore" command, which is not available in this version. The snapshot file is kept and can be restored with etcdutl into a real etcd.');
    }),
    onDidChangeState: cluster.onDidChangeState,
    onDidAppendLog: cluster.onDidAppendLog,
  };
}
