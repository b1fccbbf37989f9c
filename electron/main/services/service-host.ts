// Everything main offers, wired once: the local cluster supervisor, the connection store and open connections,
// the snapshot library, and one CairnApi per session (a window, or a browser tab's socket). Sessions share every
// service except watches, whose events go only to the session that started them and stop with it.
import path from 'node:path';
import { localConnectionId, type AppMode, type CairnApi, type OperationProgress } from '../../common/contract.ts';
import { ConnectionRegistry } from '../connections/connection-registry.ts';
import { ConnectionStore } from '../connections/connection-store.ts';
import { secretStorageStatus, type SecretCipher } from '../connections/secret-cipher.ts';
import { LocalTls } from '../local-tls/local-tls.ts';
import { ScheduleRunner, type ScheduleClock } from '../snapshots/schedule-runner.ts';
import { ScheduleStore } from '../snapshots/schedule-store.ts';
import { SnapshotImports } from '../snapshots/snapshot-import.ts';
import { SnapshotLibrary } from '../snapshots/snapshot-library.ts';
import { utilCommand } from '../snapshots/util-command.ts';
import { LocalCluster, type LocalClusterOptions } from '../supervisor/local-cluster.ts';
import { Emitter } from '../util/emitter.ts';
import { createAuthService } from './auth-service.ts';
import { settle } from './call.ts';
import { createClusterService } from './cluster-service.ts';
import { createConnectionsService } from './connections-service.ts';
import { createKeysService } from './keys-service.ts';
import { createLeasesService } from './leases-service.ts';
import { createLocalClusterService } from './local-cluster-service.ts';
import { createLocalMembersService } from './local-members-service.ts';
import { createLocalTlsService } from './local-tls-service.ts';
import { createMaintenanceService } from './maintenance-service.ts';
import { guardProductionWrites } from './production-guard.ts';
import { createSnapshotScheduleService } from './snapshot-schedule-service.ts';
import { createWatchService } from './watch-service.ts';

/** How the host is set up. */
export interface ServiceHostOptions {
  /** The app's data folder: connections, local cluster, logs, snapshots. */
  userDataDir: string;
  mode: AppMode;
  appVersion: string;
  cipher: SecretCipher;
  /** Local cluster settings besides its folders (size, engine command, timings). */
  localCluster?: Omit<LocalClusterOptions, 'rootDir' | 'logDir'>;
  /** Native save dialog (Electron only). */
  chooseSaveFile?: (defaultName: string) => Promise<string | undefined>;
  /** The clock of the snapshot schedules (tests move time with a fake one). */
  scheduleClock?: ScheduleClock;
}

/** One session's view of the services. */
export interface Session {
  api: CairnApi;
  dispose(): void;
}

/** Anything that opens sessions (the host; a fake in tests). */
export interface SessionSource {
  openSession(): Session;
}

/** The services of the running app. */
export class ServiceHost implements SessionSource {
  readonly localCluster: LocalCluster;
  readonly registry: ConnectionRegistry;
  readonly localTls: LocalTls;
  readonly schedules: ScheduleRunner;
  /** Snapshot files being received from a window; unfinished ones are deleted on dispose. */
  readonly snapshotImports: SnapshotImports;
  private readonly shared: Omit<CairnApi, 'watch'>;
  private readonly sessions = new Set<Session>();
  private readonly progress = new Emitter<OperationProgress>();

  /** Wires the services; nothing starts until `localCluster.start()`. */
  constructor(readonly options: ServiceHostOptions) {
    const dir = options.userDataDir;
    this.localTls = new LocalTls(path.join(dir, 'local-tls'));
    this.localCluster = new LocalCluster({ ...options.localCluster, rootDir: path.join(dir, 'local-cluster'), logDir: path.join(dir, 'logs'), tls: this.localTls });
    const store = new ConnectionStore(dir, options.cipher);
    this.registry = new ConnectionRegistry(store, this.localCluster);
    const library = new SnapshotLibrary(path.join(dir, 'snapshots'));
    this.snapshotImports = new SnapshotImports(library, utilCommand());
    const connections = createConnectionsService({
      store, registry: this.registry, cipher: options.cipher, localClientUrls: () => this.localCluster.clientUrls(),
      localClientTls: () => this.localCluster.clientTls(), onRemoved: (id) => this.schedules.set(id, null),
    });
    const maintenance = createMaintenanceService({
      registry: this.registry, library, imports: this.snapshotImports, progress: this.progress, chooseSaveFile: options.chooseSaveFile, connectionName: (id) => connections.nameOf(id),
    });
    this.schedules = new ScheduleRunner({
      store: new ScheduleStore(path.join(dir, 'snapshot-schedules.json')),
      // The same path as "Take a snapshot" in the GUI, under an operation id no window waits for.
      take: async (connectionId) => {
        const result = await maintenance.saveSnapshot({ connectionId, operationId: `schedule-${Date.now().toString(36)}`, destination: 'library' });
        if (!result.ok) throw new Error(result.error.message);
        return result.value;
      },
      remove: (id) => library.remove(id),
      exists: (id) => library.find(id) !== undefined,
      ...(options.scheduleClock ? { clock: options.scheduleClock } : {}),
    });
    const connectionExists = (id: string): boolean => id === localConnectionId || store.list().some((connection) => connection.id === id);
    // Every write method checks the production confirmation first; the local cluster is never production.
    this.shared = guardProductionWrites({
      app: {
        info: () => settle(() => ({
          name: 'Cairn', version: options.appVersion, mode: options.mode, platform: process.platform, userDataDir: dir,
          secretStorage: secretStorageStatus(options.cipher), nativeDialogs: options.chooseSaveFile !== undefined,
        })),
      },
      connections,
      keys: createKeysService(this.registry),
      leases: createLeasesService(this.registry),
      cluster: createClusterService(this.registry),
      maintenance: { ...maintenance, ...createSnapshotScheduleService(this.schedules, connectionExists) },
      localCluster: {
        ...createLocalClusterService(this.localCluster, library, this.progress),
        ...createLocalTlsService(this.localCluster, this.localTls, this.progress),
        ...createLocalMembersService(this.localCluster),
      },
      auth: createAuthService(this.registry),
    }, (id) => store.tag(id));
    this.schedules.start();
  }

  /** A new session (one per window or browser socket); dispose it when the window or socket closes. */
  openSession(): Session {
    const watches = createWatchService(this.registry);
    const session: Session = {
      api: { ...this.shared, watch: watches.service },
      dispose: () => {
        watches.dispose();
        this.sessions.delete(session);
      },
    };
    this.sessions.add(session);
    return session;
  }

  /** Ends every session, deletes unfinished snapshot imports, closes connections and stops the local cluster gracefully. */
  async dispose(): Promise<void> {
    for (const session of [...this.sessions]) session.dispose();
    this.schedules.dispose();
    // A half-received file is of no use to anyone: the user picks it again after a restart.
    await this.snapshotImports.dispose();
    this.registry.dispose();
    await this.localCluster.dispose();
  }
}
