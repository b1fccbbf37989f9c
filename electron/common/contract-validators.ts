// The runtime validator of every method's argument. The table's type is derived from the service interfaces,
// so adding a method to contract.ts without a validator here (or with one of the wrong shape) fails to compile.
import {
  array, boolean, bytes, integer, none, nullable, object, oneOf, optional, refine, text, uint64, variants, type Check, type Variant,
} from './validate.ts';
import * as limits from './limits.ts';
import type {
  ArgsOf, AuthNameArgs, EndpointArgs, KeyDeleteArgs, LocalMemberArgs, MemberArgs, MethodName, OnConnection, ServiceName, UserRoleArgs,
} from './contract.ts';
import type { ConnectionDraft, SnapshotSchedule, TlsCheckArgs, TlsDraft, TxnCompare, TxnOp } from './contract-types.ts';

/** Revisions: 0 means "latest" where etcd allows it. */
const revision = integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const positiveRevision = integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const key = bytes({ max: limits.keyBytesMax });
const nonEmptyKey = bytes({ min: 1, max: limits.keyBytesMax });
const value = bytes({ max: limits.valueBytesMax });
const id = text({ min: 1, max: 128, pattern: /^[A-Za-z0-9._:-]+$/, patternText: 'letters, digits, ".", "_", ":" or "-"' });
const connectionId = id;
/** The fields of every call on a connection (`OnConnection`). */
const connection = { connectionId, productionConfirmation: optional(text({ max: limits.connectionNameCharsMax })) };
const operationId = text({ min: 1, max: limits.operationIdCharsMax, pattern: /^[A-Za-z0-9._:-]+$/, patternText: 'letters, digits, ".", "_", ":" or "-"' });
const pageLimit = integer({ min: 1, max: limits.pageLimitMax });
const previewBytes = integer({ min: 0, max: limits.valuePreviewBytesMax });
const valueBytesMax = integer({ min: 0, max: limits.valueBytesMax });
const name = text({ min: 1, max: limits.nameCharsMax });
const password = text({ min: 1, max: limits.passwordCharsMax });
const pem = text({ min: 1, max: limits.pemCharsMax });
const endpoint = text({
  min: 1,
  max: limits.endpointCharsMax,
  pattern: /^(?:(?:https?|unix|unixs):\/\/)?[^\s/?#]+(?::\d{1,5})?\/?$/,
  patternText: 'host:port, http://host:port or https://host:port',
});
const url = text({ min: 1, max: limits.endpointCharsMax, pattern: /^https?:\/\/[^\s/?#]+:\d{1,5}\/?$/, patternText: 'http://host:port or https://host:port' });
const environment = oneOf(['local', 'development', 'testing', 'staging', 'production'] as const);
const memberName = text({ min: 1, max: 64, pattern: /^[A-Za-z0-9._-]+$/, patternText: 'a member name (letters, digits, ".", "_", "-")' });
const compareResult = oneOf(['equal', 'not-equal', 'greater', 'less'] as const);

const tlsDraft = object<TlsDraft>({
  caPem: optional(pem),
  certPem: optional(pem),
  keyPem: optional(nullable(pem)),
  serverName: optional(text({ min: 1, max: limits.endpointCharsMax })),
  insecureSkipVerify: optional(boolean()),
});

const connectionDraft = object<ConnectionDraft>({
  name: text({ min: 1, max: limits.connectionNameCharsMax }),
  endpoints: array(endpoint, { min: 1, max: limits.endpointsMax }),
  environment,
  color: optional(text({ min: 4, max: 9, pattern: /^#[0-9a-fA-F]{6}$/, patternText: 'a #rrggbb colour' })),
  keyPrefix: optional(text({ max: 4096 })),
  tls: optional(nullable(tlsDraft)),
  username: optional(name),
  password: optional(nullable(password)),
  allowPlaintextSecrets: optional(boolean()),
});

const tlsCheck = object<TlsCheckArgs>({
  caPem: optional(pem),
  certPem: optional(pem),
  keyPem: optional(pem),
  endpoints: optional(array(endpoint, { max: limits.endpointsMax })),
});

const compareBase = { key, rangeEnd: optional(key), result: compareResult };
const txnCompare: Check<TxnCompare> = variants<TxnCompare, 'target'>('target', {
  version: object<Variant<TxnCompare, 'target', 'version'>>({ target: oneOf(['version'] as const), ...compareBase, operand: revision }),
  create: object<Variant<TxnCompare, 'target', 'create'>>({ target: oneOf(['create'] as const), ...compareBase, operand: revision }),
  mod: object<Variant<TxnCompare, 'target', 'mod'>>({ target: oneOf(['mod'] as const), ...compareBase, operand: revision }),
  value: object<Variant<TxnCompare, 'target', 'value'>>({ target: oneOf(['value'] as const), ...compareBase, value }),
  lease: object<Variant<TxnCompare, 'target', 'lease'>>({ target: oneOf(['lease'] as const), ...compareBase, lease: uint64() }),
});

const txnOp: Check<TxnOp> = variants<TxnOp, 'type'>('type', {
  put: object<Variant<TxnOp, 'type', 'put'>>({ type: oneOf(['put'] as const), key: nonEmptyKey, value, lease: optional(uint64()), ignoreLease: optional(boolean()) }),
  delete: object<Variant<TxnOp, 'type', 'delete'>>({ type: oneOf(['delete'] as const), key, rangeEnd: optional(key), prefix: optional(boolean()), prevKv: optional(boolean()) }),
  range: object<Variant<TxnOp, 'type', 'range'>>({
    type: oneOf(['range'] as const), key, rangeEnd: optional(key), prefix: optional(boolean()), limit: optional(pageLimit),
    keysOnly: optional(boolean()), countOnly: optional(boolean()),
  }),
});

const onConnection = object<OnConnection>(connection);
const endpointArgs = object<EndpointArgs>({ ...connection, endpoint });
const memberArgs = object<MemberArgs>({ ...connection, id: uint64() });
const authName = object<AuthNameArgs>({ ...connection, name });
const userRole = object<UserRoleArgs>({ ...connection, user: name, role: name });
const localMember = object<LocalMemberArgs>({ name: memberName });
const keyDelete = refine(
  object<KeyDeleteArgs>({ ...connection, key, prefix: optional(boolean()), expectedModRevision: optional(revision) }),
  (args) => (args.prefix === true && args.expectedModRevision !== undefined ? 'cannot combine prefix with expectedModRevision' : undefined),
);

/** The argument object of a method. */
type A<S extends ServiceName, M extends MethodName<S>> = NonNullable<ArgsOf<S, M>>;

/** The argument validator of every method, by service and method name. */
export const argumentValidators: { [S in ServiceName]: { [M in MethodName<S>]: Check<ArgsOf<S, M>> } } = {
  app: { info: none() },
  connections: {
    list: none(),
    add: object<A<'connections', 'add'>>({ draft: connectionDraft }),
    update: object<A<'connections', 'update'>>({ id: connectionId, draft: connectionDraft }),
    remove: object<A<'connections', 'remove'>>({ id: connectionId }),
    test: refine(object<A<'connections', 'test'>>({ draft: optional(connectionDraft), id: optional(connectionId) }), (args) =>
      args.draft === undefined && args.id === undefined ? 'needs a draft, an id, or both' : undefined),
    checkTls: tlsCheck,
  },
  keys: {
    list: object<A<'keys', 'list'>>({
      ...connection, prefix: key, after: optional(key), limit: optional(pageLimit), revision: optional(revision),
      keysOnly: optional(boolean()), valuePreviewBytes: optional(previewBytes),
    }),
    tree: object<A<'keys', 'tree'>>({
      ...connection, prefix: key, separator: text({ min: 1, max: limits.separatorCharsMax }), after: optional(key),
      limit: optional(pageLimit), revision: optional(revision),
    }),
    count: object<A<'keys', 'count'>>({ ...connection, prefix: key, revision: optional(revision) }),
    get: object<A<'keys', 'get'>>({ ...connection, key: nonEmptyKey, revision: optional(revision), valueBytesMax: optional(valueBytesMax) }),
    history: object<A<'keys', 'history'>>({
      ...connection, key: nonEmptyKey, beforeRevision: optional(positiveRevision),
      limit: optional(integer({ min: 1, max: limits.historyVersionsMax })), valueBytesMax: optional(valueBytesMax),
    }),
    put: object<A<'keys', 'put'>>({
      ...connection, key: nonEmptyKey, value, lease: optional(uint64()), ignoreLease: optional(boolean()),
      expectedModRevision: optional(revision),
    }),
    previewDelete: keyDelete,
    delete: keyDelete,
    txn: object<A<'keys', 'txn'>>({
      ...connection,
      compare: array(txnCompare, { max: limits.txnComparesMax }),
      success: array(txnOp, { max: limits.txnOpsMax }),
      failure: array(txnOp, { max: limits.txnOpsMax }),
    }),
  },
  watch: {
    start: object<A<'watch', 'start'>>({
      ...connection, key, prefix: optional(boolean()), startRevision: optional(positiveRevision), prevKv: optional(boolean()),
      noPut: optional(boolean()), noDelete: optional(boolean()), valuePreviewBytes: optional(previewBytes),
    }),
    stop: object<A<'watch', 'stop'>>({ watchId: id }),
  },
  leases: {
    list: onConnection,
    grant: object<A<'leases', 'grant'>>({ ...connection, ttl: integer({ min: 1, max: limits.leaseTtlSecondsMax }), id: optional(uint64()) }),
    revoke: object<A<'leases', 'revoke'>>({ ...connection, id: uint64() }),
    keepAliveOnce: object<A<'leases', 'keepAliveOnce'>>({ ...connection, id: uint64() }),
    timeToLive: object<A<'leases', 'timeToLive'>>({ ...connection, id: uint64(), keys: optional(boolean()) }),
  },
  cluster: {
    overview: onConnection,
    status: onConnection,
    addMember: object<A<'cluster', 'addMember'>>({ ...connection, peerUrls: array(url, { min: 1, max: limits.peerUrlsMax }), isLearner: boolean() }),
    removeMember: memberArgs,
    updateMember: object<A<'cluster', 'updateMember'>>({ ...connection, id: uint64(), peerUrls: array(url, { min: 1, max: limits.peerUrlsMax }) }),
    promoteMember: memberArgs,
    moveLeader: memberArgs,
  },
  maintenance: {
    saveSnapshot: object<A<'maintenance', 'saveSnapshot'>>({ ...connection, operationId, destination: oneOf(['library', 'choose-file'] as const) }),
    listSnapshots: none(),
    deleteSnapshot: object<A<'maintenance', 'deleteSnapshot'>>({ id }),
    importSnapshot: object<A<'maintenance', 'importSnapshot'>>({
      operationId,
      fileName: text({ min: 1, max: limits.snapshotFileNameCharsMax }),
      sizeBytes: integer({ min: 1, max: limits.snapshotImportBytesMax }),
      offset: integer({ min: 0, max: limits.snapshotImportBytesMax }),
      chunk: bytes({ min: 1, max: limits.snapshotImportChunkBytesMax }),
    }),
    defragment: endpointArgs,
    alarms: onConnection,
    disarm: object<A<'maintenance', 'disarm'>>({ ...connection, memberId: uint64(), alarm: oneOf(['nospace', 'corrupt'] as const) }),
    compact: object<A<'maintenance', 'compact'>>({ ...connection, revision: positiveRevision, physical: optional(boolean()) }),
    hashKv: object<A<'maintenance', 'hashKv'>>({ ...connection, endpoint, revision: optional(revision) }),
    schedules: none(),
    setSchedule: object<A<'maintenance', 'setSchedule'>>({
      connectionId,
      schedule: nullable(object<SnapshotSchedule>({
        enabled: boolean(),
        intervalMinutes: integer({ min: limits.scheduleIntervalMinutesMin, max: limits.scheduleIntervalMinutesMax }),
        keep: integer({ min: 1, max: limits.scheduleKeepMax }),
      })),
    }),
  },
  localCluster: {
    state: none(),
    start: none(),
    stop: none(),
    startMember: localMember,
    stopMember: localMember,
    restartMember: localMember,
    logs: object<A<'localCluster', 'logs'>>({ name: memberName, lines: optional(integer({ min: 1, max: limits.logLinesMax })) }),
    reset: object<A<'localCluster', 'reset'>>({
      confirm: text({ max: 64 }),
      size: optional(oneOf(limits.localClusterSizes)),
      operationId: optional(operationId),
    }),
    restoreSnapshot: object<A<'localCluster', 'restoreSnapshot'>>({ snapshotId: optional(id), confirm: text({ max: 64 }), operationId }),
    tls: none(),
    setTls: object<A<'localCluster', 'setTls'>>({ enabled: boolean(), operationId }),
    addMember: object<A<'localCluster', 'addMember'>>({ asLearner: boolean() }),
    removeMember: localMember,
  },
  auth: {
    status: onConnection,
    enable: onConnection,
    disable: onConnection,
    listUsers: onConnection,
    getUser: authName,
    addUser: refine(object<A<'auth', 'addUser'>>({ ...connection, name, password: optional(password), noPassword: optional(boolean()) }), (args) =>
      (args.password === undefined) === (args.noPassword !== true) ? 'needs a password, or noPassword true without one' : undefined),
    deleteUser: authName,
    changePassword: object<A<'auth', 'changePassword'>>({ ...connection, name, password }),
    grantRole: userRole,
    revokeRole: userRole,
    listRoles: onConnection,
    getRole: authName,
    addRole: authName,
    deleteRole: authName,
    grantPermission: refine(
      object<A<'auth', 'grantPermission'>>({
        ...connection, role: name, type: oneOf(['read', 'write', 'readwrite'] as const), key, rangeEnd: optional(key),
        prefix: optional(boolean()),
      }),
      (args) => (args.prefix === true && args.rangeEnd !== undefined ? 'cannot combine prefix with rangeEnd' : undefined),
    ),
    revokePermission: object<A<'auth', 'revokePermission'>>({ ...connection, role: name, key, rangeEnd: optional(key) }),
  },
};

/** The validator of a channel (`cairn:service.method`), or undefined for a channel the contract does not have. */
export function validatorOf(service: string, method: string): Check<unknown> | undefined {
  if (!Object.prototype.hasOwnProperty.call(argumentValidators, service)) return undefined;
  const table = argumentValidators[service as ServiceName] as Record<string, Check<unknown>>;
  return Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined;
}
