// Maintenance: snapshots (into the library or a file the user picks), defragment per endpoint, alarms,
// compaction and HashKV. Long operations report progress under the renderer's own operation id.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { AlarmInfo, MaintenanceService, OperationProgress, SnapshotInfo } from '../../common/contract.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import type { EtcdConnection } from '../etcd/etcd-connection.ts';
import type { SnapshotLibrary } from '../snapshots/snapshot-library.ts';
import { downloadSnapshot } from '../snapshots/snapshot-download.ts';
import { SnapshotImportError, SnapshotImports } from '../snapshots/snapshot-import.ts';
import { utilCommand, type UtilCommand } from '../snapshots/util-command.ts';
import type { AlarmResponse__Output } from '../../../engine/proto/generated/etcdserverpb/AlarmResponse.ts';
import { Emitter } from '../util/emitter.ts';
import { refuse, settle } from './call.ts';

/** Progress events per operation at most this often, in milliseconds (a fast download must not flood IPC). */
const progressIntervalMs = 100;

/** A defragment rewrites the whole backend: allow it far longer than an ordinary call, in milliseconds. */
const defragmentDeadlineMs = 10 * 60_000;

/** What maintenance needs besides connections. */
export interface MaintenanceDependencies {
  registry: ConnectionRegistry;
  library: SnapshotLibrary;
  /** A connection's display name (for the snapshot list). */
  connectionName(connectionId: string): string;
  /** Asks where to save a file (Electron's save dialog); absent in browser mode. Undefined when cancelled. */
  chooseSaveFile?: (defaultName: string) => Promise<string | undefined>;
  progress: Emitter<OperationProgress>;
  /** How cairn-util runs (checks imported snapshot files); the bundled tool when absent. */
  util?: UtilCommand;
  /** The imports in progress (the host owns them, so it can discard unfinished ones when the app closes). */
  imports?: SnapshotImports;
}

const alarmNames = ['none', 'nospace', 'corrupt'] as const;
const alarmNumbers = { nospace: 1, corrupt: 2 } as const;

/** The maintenance service (its snapshot schedules: snapshot-schedule-service.ts). */
export function createMaintenanceService(deps: MaintenanceDependencies): Omit<MaintenanceService, 'schedules' | 'setSchedule' | 'onDidChangeSchedule'> {
  const { registry, library, progress } = deps;
  const imports = deps.imports ?? new SnapshotImports(library, deps.util ?? utilCommand());
  return {
    saveSnapshot: (args) => settle(async (): Promise<SnapshotInfo> => {
      const connection = registry.get(args.connectionId);
      const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
      let file = library.fileFor(id);
      if (args.destination === 'choose-file') {
        if (!deps.chooseSaveFile) refuse('not-supported', 'Browser mode cannot open a save dialog on this machine; save the snapshot to the library instead.');
        const chosen = await deps.chooseSaveFile(`cairn-snapshot-${id}.db`);
        if (!chosen) refuse('cancelled', 'No file was chosen.');
        file = chosen;
      }
      const report = throttledProgress(progress, args.operationId, 'snapshot');
      report('running', 'Receiving the snapshot', 0, null, true);
      try {
        const downloaded = await downloadSnapshot(connection, file, (done, total) => report('running', 'Receiving the snapshot', done, total, false));
        const info: SnapshotInfo = {
          id, fileName: path.basename(file), path: file, sizeBytes: downloaded.sizeBytes, revision: downloaded.revision, sha256: downloaded.sha256,
          takenAt: new Date().toISOString(), importedAt: null, connectionName: deps.connectionName(args.connectionId), inLibrary: args.destination === 'library',
        };
        if (info.inLibrary) library.add(info);
        report('done', 'Snapshot saved', downloaded.sizeBytes, downloaded.sizeBytes, true);
        return info;
      } catch (error) {
        report('failed', (error as Error).message, 0, null, true);
        throw error;
      }
    }),
    listSnapshots: () => settle(() => library.list()),
    deleteSnapshot: (args) => settle(() => {
      if (!library.remove(args.id)) refuse('not-found', 'That snapshot is not in the library.');
      return null;
    }),
    importSnapshot: (args) => settle(async () => {
      try {
        return await imports.receive(args);
      } catch (error) {
        if (error instanceof SnapshotImportError) refuse(error.code, error.message, error.detail);
        throw error;
      }
    }),
    defragment: (args) => settle(async () => {
      await registry.get(args.connectionId).call('write', (s) => s.maintenance.defragment.bind(s.maintenance), {}, { endpoint: args.endpoint, deadlineMs: defragmentDeadlineMs });
      return null;
    }),
    alarms: (args) => settle(async () => alarmsOf(await alarm(registry.get(args.connectionId), 0, '0', 0))),
    disarm: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      await alarm(connection, 2, args.memberId, alarmNumbers[args.alarm]);
      return alarmsOf(await alarm(connection, 0, '0', 0));
    }),
    compact: (args) => settle(async () => {
      await registry.get(args.connectionId).call('write', (s) => s.kv.compact.bind(s.kv), { revision: args.revision, physical: args.physical ?? false });
      return { revision: args.revision };
    }),
    hashKv: (args) => settle(async () => {
      const response = await registry.get(args.connectionId).call('read', (s) => s.maintenance.hashKv.bind(s.maintenance), { revision: args.revision ?? 0 }, { endpoint: args.endpoint });
      return {
        endpoint: args.endpoint,
        memberId: response.header?.member_id ?? '0',
        hash: response.hash,
        compactRevision: Number(response.compact_revision),
        revision: Number(response.header?.revision ?? 0),
      };
    }),
    onDidProgress: progress.event,
  };
}

function alarm(connection: EtcdConnection, action: 0 | 1 | 2, memberId: string, alarmType: 0 | 1 | 2): Promise<AlarmResponse__Output> {
  return connection.call(action === 0 ? 'read' : 'write', (s) => s.maintenance.alarm.bind(s.maintenance), { action, memberID: memberId, alarm: alarmType });
}

function alarmsOf(response: AlarmResponse__Output): AlarmInfo[] {
  return response.alarms
    .map((each) => ({ memberId: each.memberID, alarm: alarmNames[each.alarm] ?? 'none' }))
    .filter((each): each is AlarmInfo => each.alarm !== 'none');
}

/** A progress reporter that sends at most one 'running' event per interval (phase changes always go out). */
export function throttledProgress(emitter: Emitter<OperationProgress>, operationId: string, kind: OperationProgress['kind']) {
  let lastAt = 0;
  return (phase: OperationProgress['phase'], step: string, bytesDone: number, bytesTotal: number | null, force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastAt < progressIntervalMs) return;
    lastAt = now;
    emitter.fire({ operationId, kind, phase, step, bytesDone, bytesTotal });
  };
}
