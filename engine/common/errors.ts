// etcd's client-visible errors: the gRPC status code and the exact message etcd sends, so that clients
// (etcdctl, clientv3, etcd3) recognise them. Keep the messages byte-for-byte identical to etcd's.

/** gRPC status codes (numbers as on the wire; no dependency on grpc here). */
export enum GrpcCode {
  OK = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

/** An error that crosses the API edge with a gRPC code and etcd's message. */
export class EtcdError extends Error {
  constructor(
    readonly code: GrpcCode,
    message: string,
  ) {
    super(message);
    this.name = 'EtcdError';
  }
}

function define(code: GrpcCode, message: string): EtcdError {
  return new EtcdError(code, message);
}

/** Every etcd error Cairn can send, named as in etcd's rpctypes (without the ErrGRPC prefix). */
export const Errors = {
  EmptyKey: define(GrpcCode.InvalidArgument, 'etcdserver: key is not provided'),
  KeyNotFound: define(GrpcCode.InvalidArgument, 'etcdserver: key not found'),
  ValueProvided: define(GrpcCode.InvalidArgument, 'etcdserver: value is provided'),
  LeaseProvided: define(GrpcCode.InvalidArgument, 'etcdserver: lease is provided'),
  TooManyOps: define(GrpcCode.InvalidArgument, 'etcdserver: too many operations in txn request'),
  DuplicateKey: define(GrpcCode.InvalidArgument, 'etcdserver: duplicate key given in txn request'),
  Compacted: define(GrpcCode.OutOfRange, 'etcdserver: mvcc: required revision has been compacted'),
  FutureRev: define(GrpcCode.OutOfRange, 'etcdserver: mvcc: required revision is a future revision'),
  NoSpace: define(GrpcCode.ResourceExhausted, 'etcdserver: mvcc: database space exceeded'),

  LeaseNotFound: define(GrpcCode.NotFound, 'etcdserver: requested lease not found'),
  LeaseExist: define(GrpcCode.FailedPrecondition, 'etcdserver: lease already exists'),
  LeaseTTLTooLarge: define(GrpcCode.OutOfRange, 'etcdserver: too large lease TTL'),

  WatchCanceled: define(GrpcCode.Canceled, 'etcdserver: watch canceled'),

  MemberExist: define(GrpcCode.FailedPrecondition, 'etcdserver: member ID already exist'),
  PeerURLExist: define(GrpcCode.FailedPrecondition, 'etcdserver: Peer URLs already exists'),
  MemberNotEnoughStarted: define(
    GrpcCode.FailedPrecondition,
    'etcdserver: re-configuration failed due to not enough started members',
  ),
  MemberBadURLs: define(GrpcCode.InvalidArgument, 'etcdserver: given member URLs are invalid'),
  MemberNotFound: define(GrpcCode.NotFound, 'etcdserver: member not found'),
  MemberNotLearner: define(GrpcCode.FailedPrecondition, 'etcdserver: can only promote a learner member'),
  LearnerNotReady: define(
    GrpcCode.FailedPrecondition,
    'etcdserver: can only promote a learner member which is in sync with leader',
  ),
  TooManyLearners: define(GrpcCode.FailedPrecondition, 'etcdserver: too many learner members in cluster'),

  RequestTooLarge: define(GrpcCode.InvalidArgument, 'etcdserver: request is too large'),
  TooManyRequests: define(GrpcCode.ResourceExhausted, 'etcdserver: too many requests'),

  RootUserNotExist: define(GrpcCode.FailedPrecondition, 'etcdserver: root user does not exist'),
  RootRoleNotExist: define(GrpcCode.FailedPrecondition, 'etcdserver: root user does not have root role'),
  UserAlreadyExist: define(GrpcCode.FailedPrecondition, 'etcdserver: user name already exists'),
  UserEmpty: define(GrpcCode.InvalidArgument, 'etcdserver: user name is empty'),
  UserNotFound: define(GrpcCode.FailedPrecondition, 'etcdserver: user name not found'),
  RoleAlreadyExist: define(GrpcCode.FailedPrecondition, 'etcdserver: role name already exists'),
  RoleNotFound: define(GrpcCode.FailedPrecondition, 'etcdserver: role name not found'),
  RoleEmpty: define(GrpcCode.InvalidArgument, 'etcdserver: role name is empty'),
  AuthFailed: define(GrpcCode.InvalidArgument, 'etcdserver: authentication failed, invalid user ID or password'),
  // auth.ErrNoPasswordUser is not in etcd's gRPC error table either: code Unknown, with the auth package's text.
  NoPasswordUser: define(GrpcCode.Unknown, 'auth: authentication failed, password was given for no password user'),
  PermissionDenied: define(GrpcCode.PermissionDenied, 'etcdserver: permission denied'),
  RoleNotGranted: define(GrpcCode.FailedPrecondition, 'etcdserver: role is not granted to the user'),
  PermissionNotGranted: define(GrpcCode.FailedPrecondition, 'etcdserver: permission is not granted to the role'),
  AuthNotEnabled: define(GrpcCode.FailedPrecondition, 'etcdserver: authentication is not enabled'),
  InvalidAuthToken: define(GrpcCode.Unauthenticated, 'etcdserver: invalid auth token'),
  InvalidAuthMgmt: define(GrpcCode.InvalidArgument, 'etcdserver: invalid auth management'),
  AuthOldRevision: define(GrpcCode.InvalidArgument, 'etcdserver: revision of auth store is old'),
  // Not in etcd's gRPC error table either: a JWT member with only the public key cannot mint tokens.
  AuthVerifyOnly: define(GrpcCode.Unknown, 'auth: token signing attempted with verify-only key'),

  NoLeader: define(GrpcCode.Unavailable, 'etcdserver: no leader'),
  NotLeader: define(GrpcCode.FailedPrecondition, 'etcdserver: not leader'),
  LeaderChanged: define(GrpcCode.Unavailable, 'etcdserver: leader changed'),
  NotCapable: define(GrpcCode.Unavailable, 'etcdserver: not capable'),
  Stopped: define(GrpcCode.Unavailable, 'etcdserver: server stopped'),
  Timeout: define(GrpcCode.Unavailable, 'etcdserver: request timed out'),
  TimeoutDueToLeaderFail: define(
    GrpcCode.Unavailable,
    'etcdserver: request timed out, possibly due to previous leader failure',
  ),
  TimeoutDueToConnectionLost: define(
    GrpcCode.Unavailable,
    'etcdserver: request timed out, possibly due to connection lost',
  ),
  TimeoutWaitAppliedIndex: define(
    GrpcCode.Unavailable,
    'etcdserver: request timed out, waiting for the applied index took too long',
  ),
  // Not in etcd's gRPC error table, so it reaches clients with code Unknown.
  LeaderTransferTimeout: define(GrpcCode.Unknown, 'etcdserver: request timed out, leader transfer took too long'),
  Unhealthy: define(GrpcCode.Unavailable, 'etcdserver: unhealthy cluster'),
  Corrupt: define(GrpcCode.DataLoss, 'etcdserver: corrupt cluster'),
  NotSupportedForLearner: define(GrpcCode.Unavailable, 'etcdserver: rpc not supported for learner'),
  BadLeaderTransferee: define(GrpcCode.FailedPrecondition, 'etcdserver: bad leader transferee'),

  // etcd 3.5's Maintenance.Downgrade errors (api/v3rpc/rpctypes/error.go; not in the 3.4 tree).
  ClusterVersionUnavailable: define(GrpcCode.Unavailable, 'etcdserver: cluster version not found during downgrade'),
  WrongDowngradeVersionFormat: define(GrpcCode.InvalidArgument, 'etcdserver: wrong downgrade target version format'),
  InvalidDowngradeTargetVersion: define(GrpcCode.InvalidArgument, 'etcdserver: invalid downgrade target version'),
  DowngradeInProcess: define(GrpcCode.FailedPrecondition, 'etcdserver: cluster has a downgrade job in progress'),
  NoInflightDowngrade: define(GrpcCode.FailedPrecondition, 'etcdserver: no inflight downgrade job'),
  // etcdserver.ErrUnknownMethod is not in etcd's gRPC error table, so clients see it with code Unknown.
  UnknownMethod: define(GrpcCode.Unknown, 'etcdserver: unknown method'),
} as const;

/** An InvalidArgument error with a custom message (etcd builds some of these on the fly). */
export function invalidArgument(message: string): EtcdError {
  return new EtcdError(GrpcCode.InvalidArgument, message);
}

/** True when `error` is one of the shared etcd errors (compare by identity or by code and message). */
export function isEtcdError(error: unknown, expected?: EtcdError): error is EtcdError {
  if (!(error instanceof EtcdError)) return false;
  return expected === undefined || (error.code === expected.code && error.message === expected.message);
}
