// gRPC failures from etcd turned into the contract's errors: a stable code the GUI can branch on and a sentence
// a user understands. etcd's own message (e.g. "etcdserver: mvcc: required revision has been compacted") stays
// in `detail`.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { CairnError, ErrorCode } from '../../common/contract.ts';

/** etcd's error messages (without the "etcdserver: " prefix) mapped to a code and plain words. */
const knownMessages: Array<[RegExp, ErrorCode, string]> = [
  [/required revision has been compacted/, 'compacted', 'That revision is no longer available: the history before it was compacted.'],
  [/required revision is a future revision/, 'future-revision', 'That revision does not exist yet.'],
  [/requested lease not found/, 'not-found', 'The lease does not exist (it expired or was revoked).'],
  [/authentication failed, invalid user ID or password/, 'auth-failed', 'The user name or password is wrong.'],
  [/invalid auth token/, 'auth-failed', 'The session token expired and could not be renewed; log in again.'],
  [/user name is empty/, 'auth-failed', 'The cluster requires a user name and password.'],
  [/permission denied/, 'permission-denied', 'This user is not allowed to do that.'],
  [/authentication is not enabled/, 'auth-not-enabled', 'Authentication is not enabled on this cluster.'],
  [/(user name|role name|member ID) already exists?/, 'already-exists', 'It already exists.'],
  [/(user name|role name) not found|member not found|role is not granted|permission is not granted/, 'not-found', 'It does not exist.'],
  [/request is too large|too many operations in txn request/, 'too-large', 'The request is larger than the cluster accepts (--max-request-bytes / --max-txn-ops).'],
  [/duplicate key given in txn request/, 'invalid-argument', 'A transaction may write each key only once.'],
  [/database space exceeded/, 'etcd', 'The database is full (NOSPACE alarm): compact, defragment, then disarm the alarm.'],
  [/no leader/, 'unavailable', 'The cluster has no leader right now (too few members are running).'],
  [/request timed out|leader changed/, 'timeout', 'The cluster did not answer in time; it may be overloaded or electing a leader.'],
  [/not capable/, 'not-supported', 'This cluster does not support that operation.'],
  [/bad leader transferee/, 'invalid-argument', 'That member cannot become leader (it must be a started voting member other than the leader).'],
  [/key not found/, 'not-found', 'The key does not exist.'],
  [/re-configuration failed due to not enough started members|unhealthy cluster/, 'unavailable', 'The change would leave the cluster without a healthy majority.'],
  [/can only promote a learner member which is in sync with leader/, 'busy', 'The learner has not caught up with the leader yet; try again shortly.'],
];

/** True when `error` is a gRPC status error. */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && typeof (error as Partial<ServiceError>).details === 'string';
}

/** True when the failure means the server never got the request (so even a write may be retried elsewhere). */
export function neverSent(error: ServiceError): boolean {
  return error.code === GrpcStatus.UNAVAILABLE && /No connection established|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|Name resolution failed|connect/i.test(error.details);
}

/** True when the endpoint (not the request) is the problem: another endpoint may answer. */
export function endpointFailed(error: ServiceError): boolean {
  return error.code === GrpcStatus.UNAVAILABLE && !/no leader/.test(error.details);
}

/** True when the auth token must be renewed before retrying. */
export function tokenExpired(error: ServiceError): boolean {
  return /invalid auth token/.test(error.details);
}

/** The contract error for a failed call to `endpoint`. */
export function toCairnError(error: unknown, endpoint?: string): CairnError {
  if (!isServiceError(error)) {
    return { code: 'internal', message: `Unexpected failure: ${(error as Error)?.message ?? String(error)}`, detail: String(error) };
  }
  const detail = error.details || error.message;
  for (const [pattern, code, message] of knownMessages) {
    if (pattern.test(detail)) return { code, message, detail };
  }
  const where = endpoint ? ` at ${endpoint}` : '';
  switch (error.code) {
    case GrpcStatus.UNAVAILABLE:
      return { code: 'unavailable', message: `The cluster cannot be reached${where}.`, detail };
    case GrpcStatus.DEADLINE_EXCEEDED:
      return { code: 'timeout', message: `The cluster did not answer in time${where}.`, detail };
    case GrpcStatus.CANCELLED:
      return { code: 'cancelled', message: 'The request was cancelled.', detail };
    case GrpcStatus.UNAUTHENTICATED:
      return { code: 'auth-failed', message: 'The cluster refused the credentials.', detail };
    case GrpcStatus.PERMISSION_DENIED:
      return { code: 'permission-denied', message: 'This user is not allowed to do that.', detail };
    case GrpcStatus.INVALID_ARGUMENT:
      return { code: 'invalid-argument', message: `The cluster refused the request: ${detail.replace(/^etcdserver: /, '')}.`, detail };
    case GrpcStatus.UNIMPLEMENTED:
      return { code: 'not-supported', message: 'This server does not implement that call (is it an etcd v3 server?).', detail };
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return { code: 'too-large', message: `The cluster refused the request as too large: ${detail}.`, detail };
    default:
      return { code: 'etcd', message: `The cluster answered with an error: ${detail.replace(/^etcdserver: /, '')}.`, detail };
  }
}
