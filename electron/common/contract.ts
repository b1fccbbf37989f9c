// The IPC contract of Cairn, VS Code style: one interface per service, which main implements and the renderer
// consumes through a typed proxy (api-client.ts) over either the preload global or the browser-mode socket.
// Every method takes at most one argument object and resolves with a Result (errors are values); events are
// named onDidX and return a Disposable. Channel names are derived from the method table below, and every
// method's argument has a runtime validator in contract-validators.ts that main applies before any work.
import type { Result } from './result.ts';
import type {
  AlarmInfo, AppInfo, AuthStatus, ClusterOverview, ConnectionDraft, ConnectionList, ConnectionStatus, ConnectionSummary,
  ConnectionTestReport, EndpointStatus, HashKvResult, KeyHistory, KeyPage, KeyValue, LeaseDetail, LeaseInfo,
  LocalClusterState, LocalTlsState, LogLines, MembershipChange, OperationProgress, Permission, RoleInfo, SnapshotInfo, SnapshotSchedule, SnapshotScheduleState, TlsCheckArgs,
  TlsFinding, TreePage, TxnCompare, TxnOp, TxnResult, UserInfo, WatchBatch, WatchStateChange, WriteOutcome,
} from './contract-types.ts';

export type * from './contract-types.ts';
export { localConnectionId } from './contract-types.ts';
export type { CairnError, ErrorCode, Result } from './result.ts';

/** Something to stop (an event subscription). */
export interface Disposable {
  dispose(): void;
}

/** An event: call it with a listener to subscribe; dispose the result to unsubscribe. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/** Arguments naming the connection a data call goes to (`localConnectionId` for the bundled cluster). */
export interface OnConnection {
  connectionId: string;
  /**
   * On a call that changes a connection tagged production (see `contract-writes.ts`): the connection's name, as
   * the user typed it to confirm this write. Main refuses such a call without it ('confirmation-required'), so a
   * code path that forgot the dialog cannot write to production. Ignored on reads and other connections.
   */
  productionConfirmation?: string;
}

// ---------------------------------------------------------------- arguments

/**
 * Arguments of `connections.test`: a draft (nothing is saved), a saved connection by id, or both (a draft that
 * edits a saved connection: secrets the draft leaves undefined are taken from the saved one).
 */
export interface ConnectionTestArgs {
  draft?: ConnectionDraft;
  id?: string;
}

/** Arguments of `keys.list`: one page of keys under a prefix. */
export interface KeyListArgs extends OnConnection {
  /** Empty for every key. */
  prefix: Uint8Array;
  /** Start after this key (the previous page's `next`). */
  after?: Uint8Array;
  limit?: number;
  /** Read at this revision (the first page's), so pages agree with each other. */
  revision?: number;
  /** Default true: a listing of a million keys should not carry their values. */
  keysOnly?: boolean;
  /** With keysOnly false: value bytes per key (default `valuePreviewBytesDefault`). */
  valuePreviewBytes?: number;
}

/** Arguments of `keys.tree`: one level of the key tree under `prefix`, split at `separator`. */
export interface KeyTreeArgs extends OnConnection {
  /** The folder to list, ending in the separator (or empty for the root). */
  prefix: Uint8Array;
  separator: string;
  after?: Uint8Array;
  limit?: number;
  revision?: number;
}

/** Arguments of `keys.count`. */
export interface KeyCountArgs extends OnConnection {
  prefix: Uint8Array;
  revision?: number;
}

/** Arguments of `keys.get`. */
export interface KeyGetArgs extends OnConnection {
  key: Uint8Array;
  revision?: number;
  /** Value bytes to return at most (default `valueBytesDefault`); the full size is reported either way. */
  valueBytesMax?: number;
}

/** Arguments of `keys.history`. */
export interface KeyHistoryArgs extends OnConnection {
  key: Uint8Array;
  /** Versions older than this revision (default: from the newest). */
  beforeRevision?: number;
  limit?: number;
  valueBytesMax?: number;
}

/** Arguments of `keys.put`. */
export interface KeyPutArgs extends OnConnection {
  key: Uint8Array;
  value: Uint8Array;
  /** Attach this lease ('0' or absent for none). */
  lease?: string;
  /** Keep the key's current lease. */
  ignoreLease?: boolean;
  /** Write only if the key's mod revision is this (0: only if the key does not exist). */
  expectedModRevision?: number;
}

/** Arguments of `keys.delete` and `keys.previewDelete`. */
export interface KeyDeleteArgs extends OnConnection {
  key: Uint8Array;
  /** Delete every key that starts with `key`. */
  prefix?: boolean;
  /** Single key only: delete only if its mod revision is this. */
  expectedModRevision?: number;
}

/** Arguments of `keys.txn`. */
export interface KeyTxnArgs extends OnConnection {
  compare: TxnCompare[];
  success: TxnOp[];
  failure: TxnOp[];
}

/** Arguments of `watch.start`. */
export interface WatchStartArgs extends OnConnection {
  key: Uint8Array;
  prefix?: boolean;
  /** Replay history from this revision (default: only changes from now on). */
  startRevision?: number;
  prevKv?: boolean;
  noPut?: boolean;
  noDelete?: boolean;
  /** Value bytes per event (default `valuePreviewBytesDefault`). */
  valuePreviewBytes?: number;
}

/** Arguments naming a lease. */
export interface LeaseArgs extends OnConnection {
  id: string;
}

/** Arguments of `leases.timeToLive`. */
export interface LeaseTtlArgs extends LeaseArgs {
  /** Also list the attached keys. */
  keys?: boolean;
}

/** Arguments of `leases.grant`. */
export interface LeaseGrantArgs extends OnConnection {
  ttl: number;
  /** A chosen id (default: the server picks one). */
  id?: string;
}

/** Arguments naming a member. */
export interface MemberArgs extends OnConnection {
  id: string;
}

/** Arguments of `cluster.addMember`. */
export interface MemberAddArgs extends OnConnection {
  peerUrls: string[];
  isLearner: boolean;
}

/** Arguments of `cluster.updateMember`. */
export interface MemberUpdateArgs extends OnConnection {
  id: string;
  peerUrls: string[];
}

/** Arguments naming one endpoint of a connection. */
export interface EndpointArgs extends OnConnection {
  endpoint: string;
}

/** Arguments of `maintenance.hashKv`. */
export interface HashKvArgs extends EndpointArgs {
  /** 0 or absent: the latest revision. */
  revision?: number;
}

/** Arguments of `maintenance.disarm`. */
export interface DisarmArgs extends OnConnection {
  memberId: string;
  alarm: 'nospace' | 'corrupt';
}

/** Arguments of `maintenance.compact`. */
export interface CompactArgs extends OnConnection {
  revision: number;
  physical?: boolean;
}

/** Arguments of `maintenance.saveSnapshot`. */
export interface SnapshotSaveArgs extends OnConnection {
  /** Chosen by the renderer, so progress events can be matched before the call returns. */
  operationId: string;
  /** 'library': the app's snapshot folder; 'choose-file': a native save dialog (Electron only). */
  destination: 'library' | 'choose-file';
}

/** Arguments of `maintenance.importSnapshot`: one chunk of a snapshot file the user picked, sent in order. */
export interface SnapshotImportArgs {
  /** Chosen by the renderer for the whole file, so its chunks belong together. */
  operationId: string;
  /** The picked file's own name (shown in the library). */
  fileName: string;
  /** The whole file's size, in bytes. */
  sizeBytes: number;
  /** Where `chunk` starts in the file: 0 for the first chunk, then where the previous one ended. */
  offset: number;
  chunk: Uint8Array;
}

/** Arguments naming a snapshot of the library. */
export interface SnapshotArgs {
  id: string;
}

/** Arguments of `maintenance.setSchedule`: a connection's snapshot schedule, or null to delete it. */
export interface ScheduleArgs {
  connectionId: string;
  schedule: SnapshotSchedule | null;
}

/** Arguments of `localCluster.addMember`. */
export interface LocalAddMemberArgs {
  /** Join as a learner (copies the data without voting; promote it once it has caught up). */
  asLearner: boolean;
}

/** Arguments naming a local member. */
export interface LocalMemberArgs {
  name: string;
}

/** Arguments of `localCluster.logs`. */
export interface LocalLogsArgs {
  name: string;
  /** The newest this many lines (default and max `logLinesMax`). */
  lines?: number;
}

/** The phrase the user confirms a destructive local-cluster action with (the GUI shows it and sends it back). */
export const resetConfirmation = 'reset local cluster';

/** The phrase for restoring a snapshot over the local cluster's data. */
export const restoreConfirmation = 'replace local cluster data';

/** Arguments of `localCluster.reset`: wipes every member's data and starts a new, empty cluster. */
export interface LocalResetArgs {
  confirm: string;
  /** A new size for the new cluster (default: keep the current size). */
  size?: number;
  operationId?: string;
}

/** Arguments of `localCluster.restoreSnapshot`. */
export interface LocalRestoreArgs {
  /** A snapshot of the library, or a file chosen in a native dialog when absent (Electron only). */
  snapshotId?: string;
  confirm: string;
  operationId: string;
}

/** Arguments of `localCluster.setTls`: turn TLS with client-certificate auth on or off for the local cluster. */
export interface LocalTlsArgs {
  enabled: boolean;
  /** Chosen by the renderer, so the steps (`maintenance.onDidProgress`, kind 'tls') can be shown as they happen. */
  operationId: string;
}

/** Arguments naming a user or a role. */
export interface AuthNameArgs extends OnConnection {
  name: string;
}

/** Arguments of `auth.addUser`. */
export interface UserAddArgs extends OnConnection {
  name: string;
  /** Absent with noPassword true: a user that can only authenticate with a client certificate. */
  password?: string;
  noPassword?: boolean;
}

/** Arguments of `auth.changePassword`. */
export interface PasswordArgs extends OnConnection {
  name: string;
  password: string;
}

/** Arguments of `auth.grantRole` and `auth.revokeRole`. */
export interface UserRoleArgs extends OnConnection {
  user: string;
  role: string;
}

/** Arguments of `auth.grantPermission`. */
export interface GrantPermissionArgs extends OnConnection {
  role: string;
  type: Permission['type'];
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  /** Grant on every key starting with `key` (rangeEnd computed by main). */
  prefix?: boolean;
}

/** Arguments of `auth.revokePermission`. */
export interface RevokePermissionArgs extends OnConnection {
  role: string;
  key: Uint8Array;
  rangeEnd?: Uint8Array;
}

// ---------------------------------------------------------------- services

/** App facts. */
export interface AppService {
  info(): Promise<Result<AppInfo>>;
}

/** Saved connections (the local cluster is always the first). */
export interface ConnectionsService {
  list(): Promise<Result<ConnectionList>>;
  add(args: { draft: ConnectionDraft }): Promise<Result<ConnectionSummary>>;
  update(args: { id: string; draft: ConnectionDraft }): Promise<Result<ConnectionSummary>>;
  remove(args: { id: string }): Promise<Result<null>>;
  /** Tests a draft (nothing saved) or a saved connection, and explains failures in plain words. */
  test(args: ConnectionTestArgs): Promise<Result<ConnectionTestReport>>;
  /** Checks TLS material before connecting: expiry, key matches certificate, names cover the endpoints. */
  checkTls(args: TlsCheckArgs): Promise<Result<TlsFinding[]>>;
  onDidChange: Event<ConnectionList>;
  onDidChangeStatus: Event<ConnectionStatus>;
}

/** Keys and values. */
export interface KeysService {
  list(args: KeyListArgs): Promise<Result<KeyPage>>;
  tree(args: KeyTreeArgs): Promise<Result<TreePage>>;
  count(args: KeyCountArgs): Promise<Result<{ count: number; revision: number }>>;
  get(args: KeyGetArgs): Promise<Result<{ kv: KeyValue | null; revision: number }>>;
  history(args: KeyHistoryArgs): Promise<Result<KeyHistory>>;
  put(args: KeyPutArgs): Promise<Result<WriteOutcome>>;
  /** How many keys a delete would remove, with the first few, before asking the user. */
  previewDelete(args: KeyDeleteArgs): Promise<Result<{ count: number; revision: number; sample: Uint8Array[] }>>;
  delete(args: KeyDeleteArgs): Promise<Result<WriteOutcome>>;
  txn(args: KeyTxnArgs): Promise<Result<TxnResult>>;
}

/** Watches; events go only to the window (or browser tab) that started the watch. */
export interface WatchService {
  start(args: WatchStartArgs): Promise<Result<{ watchId: string }>>;
  stop(args: { watchId: string }): Promise<Result<null>>;
  onDidReceive: Event<WatchBatch>;
  onDidChangeState: Event<WatchStateChange>;
}

/** Leases. */
export interface LeasesService {
  list(args: OnConnection): Promise<Result<{ leases: LeaseInfo[] }>>;
  grant(args: LeaseGrantArgs): Promise<Result<{ id: string; ttl: number }>>;
  revoke(args: LeaseArgs): Promise<Result<null>>;
  keepAliveOnce(args: LeaseArgs): Promise<Result<{ id: string; ttl: number }>>;
  timeToLive(args: LeaseTtlArgs): Promise<Result<LeaseDetail>>;
}

/** Cluster membership and per-endpoint status. */
export interface ClusterService {
  overview(args: OnConnection): Promise<Result<ClusterOverview>>;
  status(args: OnConnection): Promise<Result<EndpointStatus[]>>;
  addMember(args: MemberAddArgs): Promise<Result<MembershipChange>>;
  removeMember(args: MemberArgs): Promise<Result<MembershipChange>>;
  updateMember(args: MemberUpdateArgs): Promise<Result<MembershipChange>>;
  promoteMember(args: MemberArgs): Promise<Result<MembershipChange>>;
  moveLeader(args: MemberArgs): Promise<Result<null>>;
}

/** Maintenance: snapshots, defragment, alarms, compaction, hashes. */
export interface MaintenanceService {
  saveSnapshot(args: SnapshotSaveArgs): Promise<Result<SnapshotInfo>>;
  listSnapshots(): Promise<Result<SnapshotInfo[]>>;
  deleteSnapshot(args: SnapshotArgs): Promise<Result<null>>;
  /**
   * Adds a snapshot file the user picked (read by the renderer, so browser mode can too) to the library, one chunk
   * per call: null until the last chunk, then the library entry, once the file passed the checks a restore makes
   * (sha256 trailer, a Cairn or etcd database); a refused file leaves nothing behind.
   */
  importSnapshot(args: SnapshotImportArgs): Promise<Result<SnapshotInfo | null>>;
  defragment(args: EndpointArgs): Promise<Result<null>>;
  alarms(args: OnConnection): Promise<Result<AlarmInfo[]>>;
  disarm(args: DisarmArgs): Promise<Result<AlarmInfo[]>>;
  compact(args: CompactArgs): Promise<Result<{ revision: number }>>;
  hashKv(args: HashKvArgs): Promise<Result<HashKvResult>>;
  /** Every connection's snapshot schedule, run by main (timers live in main, not in a window). */
  schedules(): Promise<Result<SnapshotScheduleState[]>>;
  /** Sets or deletes a connection's snapshot schedule; the next run is one interval from now. */
  setSchedule(args: ScheduleArgs): Promise<Result<SnapshotScheduleState | null>>;
  onDidProgress: Event<OperationProgress>;
  /** Fires when a schedule changes, starts a run or finishes one. */
  onDidChangeSchedule: Event<SnapshotScheduleState>;
}

/** The bundled local cluster. */
export interface LocalClusterService {
  state(): Promise<Result<LocalClusterState>>;
  start(): Promise<Result<LocalClusterState>>;
  stop(): Promise<Result<LocalClusterState>>;
  startMember(args: LocalMemberArgs): Promise<Result<LocalClusterState>>;
  stopMember(args: LocalMemberArgs): Promise<Result<LocalClusterState>>;
  restartMember(args: LocalMemberArgs): Promise<Result<LocalClusterState>>;
  logs(args: LocalLogsArgs): Promise<Result<LogLines>>;
  reset(args: LocalResetArgs): Promise<Result<LocalClusterState>>;
  restoreSnapshot(args: LocalRestoreArgs): Promise<Result<LocalClusterState>>;
  /** The local cluster's TLS setting and where its certificates are. */
  tls(): Promise<Result<LocalTlsState>>;
  /**
   * Turns TLS on (making a CA and server, peer and client certificates when needed) or off, and restarts the
   * members one by one with https or http client and peer URLs; the data and member ids are kept.
   */
  setTls(args: LocalTlsArgs): Promise<Result<LocalTlsState>>;
  /** Adds a member on new ports (MemberAdd, then its process joins with `--initial-cluster-state existing`). */
  addMember(args: LocalAddMemberArgs): Promise<Result<LocalClusterState>>;
  /** Stops a member added with `addMember`, removes it from the cluster and deletes its data. */
  removeMember(args: LocalMemberArgs): Promise<Result<LocalClusterState>>;
  onDidChangeState: Event<LocalClusterState>;
  onDidAppendLog: Event<LogLines>;
}

/** Users, roles and permissions. */
export interface AuthService {
  status(args: OnConnection): Promise<Result<AuthStatus>>;
  enable(args: OnConnection): Promise<Result<null>>;
  disable(args: OnConnection): Promise<Result<null>>;
  listUsers(args: OnConnection): Promise<Result<string[]>>;
  getUser(args: AuthNameArgs): Promise<Result<UserInfo>>;
  addUser(args: UserAddArgs): Promise<Result<null>>;
  deleteUser(args: AuthNameArgs): Promise<Result<null>>;
  changePassword(args: PasswordArgs): Promise<Result<null>>;
  grantRole(args: UserRoleArgs): Promise<Result<null>>;
  revokeRole(args: UserRoleArgs): Promise<Result<null>>;
  listRoles(args: OnConnection): Promise<Result<string[]>>;
  getRole(args: AuthNameArgs): Promise<Result<RoleInfo>>;
  addRole(args: AuthNameArgs): Promise<Result<null>>;
  deleteRole(args: AuthNameArgs): Promise<Result<null>>;
  grantPermission(args: GrantPermissionArgs): Promise<Result<null>>;
  revokePermission(args: RevokePermissionArgs): Promise<Result<null>>;
}

/** Everything main offers the renderer. */
export interface CairnApi {
  app: AppService;
  connections: ConnectionsService;
  keys: KeysService;
  watch: WatchService;
  leases: LeasesService;
  cluster: ClusterService;
  maintenance: MaintenanceService;
  localCluster: LocalClusterService;
  auth: AuthService;
}

// ---------------------------------------------------------------- method and event tables

/** The method names of each service (kept in step with the interfaces by the `satisfies` below). */
export const methodTable = {
  app: ['info'],
  connections: ['list', 'add', 'update', 'remove', 'test', 'checkTls'],
  keys: ['list', 'tree', 'count', 'get', 'history', 'put', 'previewDelete', 'delete', 'txn'],
  watch: ['start', 'stop'],
  leases: ['list', 'grant', 'revoke', 'keepAliveOnce', 'timeToLive'],
  cluster: ['overview', 'status', 'addMember', 'removeMember', 'updateMember', 'promoteMember', 'moveLeader'],
  maintenance: ['saveSnapshot', 'listSnapshots', 'deleteSnapshot', 'importSnapshot', 'defragment', 'alarms', 'disarm', 'compact', 'hashKv', 'schedules', 'setSchedule'],
  localCluster: ['state', 'start', 'stop', 'startMember', 'stopMember', 'restartMember', 'logs', 'reset', 'restoreSnapshot', 'tls', 'setTls', 'addMember', 'removeMember'],
  auth: [
    'status', 'enable', 'disable', 'listUsers', 'getUser', 'addUser', 'deleteUser', 'changePassword', 'grantRole', 'revokeRole',
    'listRoles', 'getRole', 'addRole', 'deleteRole', 'grantPermission', 'revokePermission',
  ],
} as const satisfies { [S in ServiceName]: readonly MethodName<S>[] };

/** The event names of each service. */
export const eventTable = {
  app: [],
  connections: ['onDidChange', 'onDidChangeStatus'],
  keys: [],
  watch: ['onDidReceive', 'onDidChangeState'],
  leases: [],
  cluster: [],
  maintenance: ['onDidProgress', 'onDidChangeSchedule'],
  localCluster: ['onDidChangeState', 'onDidAppendLog'],
  auth: [],
} as const satisfies { [S in ServiceName]: readonly EventName<S>[] };

/** A service of the API. */
export type ServiceName = keyof CairnApi;

/** The method names of service S (its members that are not events). */
export type MethodName<S extends ServiceName> = { [K in keyof CairnApi[S]]: K extends `onDid${string}` ? never : K }[keyof CairnApi[S]] & string;

/** The event names of service S. */
export type EventName<S extends ServiceName> = { [K in keyof CairnApi[S]]: K extends `onDid${string}` ? K : never }[keyof CairnApi[S]] & string;

/** A method's argument type (undefined for methods without one). */
export type ArgsOf<S extends ServiceName, M extends MethodName<S>> = CairnApi[S][M] extends (...args: infer P) => unknown ? (P extends [] ? undefined : P[0]) : never;

/** A method's success value. */
export type ValueOf<S extends ServiceName, M extends MethodName<S>> = CairnApi[S][M] extends (...args: never[]) => Promise<Result<infer V>> ? V : never;

/** An event's payload. */
export type PayloadOf<S extends ServiceName, E extends EventName<S>> = CairnApi[S][E] extends Event<infer T> ? T : never;

/** The prefix of every IPC channel, so main and preload can refuse anything else at a glance. */
export const channelPrefix = 'cairn:';

/** The one channel main pushes events on (payload: `EventMessage`). */
export const eventChannel = `${channelPrefix}event`;

/** The IPC channel of one method, e.g. `cairn:keys.list`. */
export function channelOf(service: ServiceName, method: string): string {
  return `${channelPrefix}${service}.${method}`;
}

/** Every method channel of the contract. */
export const methodChannels: readonly string[] = (Object.keys(methodTable) as ServiceName[]).flatMap((service) =>
  methodTable[service].map((method) => channelOf(service, method)),
);

/** An event as it travels from main to the renderer: `name` is `service.onDidX`. */
export interface EventMessage {
  name: string;
  payload: unknown;
}

/** Every event name (`service.onDidX`) of the contract. */
export const eventNames: readonly string[] = (Object.keys(eventTable) as ServiceName[]).flatMap((service) =>
  eventTable[service].map((event) => `${service}.${event}`),
);

/**
 * What the preload exposes as `window.cairn` (name in `preloadGlobalName`): a channel-checked invoke and one
 * event subscription. The renderer wraps it with `createApiClient` to get a typed CairnApi.
 */
export interface CairnBridge {
  invoke(channel: string, args: unknown): Promise<Result<unknown>>;
  /** Subscribes to every event main pushes; returns the unsubscribe function. */
  subscribe(listener: (message: EventMessage) => void): () => void;
}

/** The name of the preload's global: `window.cairn`. */
export const preloadGlobalName = 'cairn';
