// The member as the client API layer sees it. The gRPC services and the JSON gateway call only this, so the
// wire layer stays thin (decode, validate, call, fill the header) and every semantic lives in the server.
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { RangeResponse } from '../proto/generated/etcdserverpb/RangeResponse.ts';
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { PutResponse } from '../proto/generated/etcdserverpb/PutResponse.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { DeleteRangeResponse } from '../proto/generated/etcdserverpb/DeleteRangeResponse.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { TxnResponse } from '../proto/generated/etcdserverpb/TxnResponse.ts';
import type { CompactionRequest__Output } from '../proto/generated/etcdserverpb/CompactionRequest.ts';
import type { CompactionResponse } from '../proto/generated/etcdserverpb/CompactionResponse.ts';
import type { LeaseGrantRequest__Output } from '../proto/generated/etcdserverpb/LeaseGrantRequest.ts';
import type { LeaseGrantResponse } from '../proto/generated/etcdserverpb/LeaseGrantResponse.ts';
import type { LeaseRevokeResponse } from '../proto/generated/etcdserverpb/LeaseRevokeResponse.ts';
import type { LeaseTimeToLiveResponse } from '../proto/generated/etcdserverpb/LeaseTimeToLiveResponse.ts';
import type { LeaseLeasesResponse } from '../proto/generated/etcdserverpb/LeaseLeasesResponse.ts';
import type { AlarmRequest__Output } from '../proto/generated/etcdserverpb/AlarmRequest.ts';
import type { AlarmResponse } from '../proto/generated/etcdserverpb/AlarmResponse.ts';
import type { StatusResponse } from '../proto/generated/etcdserverpb/StatusResponse.ts';
import type { HashKVResponse } from '../proto/generated/etcdserverpb/HashKVResponse.ts';
import type { HashResponse } from '../proto/generated/etcdserverpb/HashResponse.ts';
import type { Member } from '../proto/generated/etcdserverpb/Member.ts';
import type { ResponseHeader } from '../proto/generated/etcdserverpb/ResponseHeader.ts';
import type { BackendSnapshot } from '../storage/backend/backend.ts';
import type { WatchHub } from './watch-hub.ts';
import type { AuthUserAddRequest__Output } from '../proto/generated/etcdserverpb/AuthUserAddRequest.ts';
import type { AuthRoleGrantPermissionRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleGrantPermissionRequest.ts';
import type { AuthRoleRevokePermissionRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleRevokePermissionRequest.ts';
import type { Permission } from '../proto/generated/authpb/Permission.ts';

/**
 * The credentials a client call carries: a token (gRPC `token` metadata, or the gateway's Authorization header)
 * and the Common Name of a verified client certificate (gRPC under --client-cert-auth).
 */
export interface Caller {
  token?: string;
  commonName?: string;
}

/** The Auth service's operations (management ones need the root role once auth is enabled). */
export interface AuthApi {
  /** Whether auth is enabled on this member (as applied so far). */
  isEnabled(): boolean;
  /** Whether a verified client certificate's Common Name names the caller (--client-cert-auth). */
  usesCertificateIdentity(): boolean;
  authEnable(caller?: Caller): Promise<object>;
  authDisable(caller?: Caller): Promise<object>;
  authStatus(): Promise<{ header: object; enabled: boolean; authRevision: string }>;
  /** Checks the password and returns a fresh token. */
  authenticate(name: string, password: string): Promise<{ header: object; token: string }>;
  userAdd(request: AuthUserAddRequest__Output, caller?: Caller): Promise<object>;
  userGet(name: string, caller?: Caller): Promise<{ header: object; roles: string[] }>;
  userList(caller?: Caller): Promise<{ header: object; users: string[] }>;
  userDelete(name: string, caller?: Caller): Promise<object>;
  userChangePassword(name: string, password: string, caller?: Caller): Promise<object>;
  userGrantRole(user: string, role: string, caller?: Caller): Promise<object>;
  userRevokeRole(name: string, role: string, caller?: Caller): Promise<object>;
  roleAdd(name: string, caller?: Caller): Promise<object>;
  roleGet(name: string, caller?: Caller): Promise<{ header: object; perm: Permission[] }>;
  roleList(caller?: Caller): Promise<{ header: object; roles: string[] }>;
  roleDelete(role: string, caller?: Caller): Promise<object>;
  roleGrantPermission(request: AuthRoleGrantPermissionRequest__Output, caller?: Caller): Promise<object>;
  roleRevokePermission(request: AuthRoleRevokePermissionRequest__Output, caller?: Caller): Promise<object>;
}

/** Limits the API layer enforces before calling the server. */
export interface ApiLimits {
  requestBytesMax: number;
  txnOpsMax: number;
  /** Interval of progress notifications to watchers that asked for them. */
  watchProgressNotifyIntervalMs: number;
}

/** The member's client-facing operations. */
export interface ServerApi {
  readonly limits: ApiLimits;
  /** A response header for this member; `revision` 0 means the current revision. */
  header(revision?: number): ResponseHeader;

  range(request: RangeRequest__Output, caller?: Caller): Promise<RangeResponse>;
  put(request: PutRequest__Output, caller?: Caller): Promise<PutResponse>;
  deleteRange(request: DeleteRangeRequest__Output, caller?: Caller): Promise<DeleteRangeResponse>;
  txn(request: TxnRequest__Output, caller?: Caller): Promise<TxnResponse>;
  compact(request: CompactionRequest__Output): Promise<CompactionResponse>;

  leaseGrant(request: LeaseGrantRequest__Output): Promise<LeaseGrantResponse>;
  leaseRevoke(id: bigint, caller?: Caller): Promise<LeaseRevokeResponse>;
  /** Renews a lease (keep-alive); returns the TTL in seconds, or 0 when the lease does not exist. */
  leaseRenew(id: bigint): Promise<number>;
  leaseTimeToLive(id: bigint, keys: boolean): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(): Promise<LeaseLeasesResponse>;

  /** The watch event source for watch streams. */
  readonly watchHub: WatchHub;
  /** Refuses a watch on [key, rangeEnd) the caller may not read (checked once, when the watch is created). */
  authorizeWatch(caller: Caller | undefined, key: Uint8Array, rangeEnd: Uint8Array): Promise<void>;
  /** Refuses a caller without the root role once auth is enabled (maintenance and membership changes). */
  authorizeAdmin(caller: Caller | undefined): Promise<void>;
  /** The Auth service. */
  readonly auth: AuthApi;

  alarm(request: AlarmRequest__Output): Promise<AlarmResponse>;
  status(): Promise<StatusResponse>;
  hash(): Promise<HashResponse>;
  hashKV(revision: number): Promise<HashKVResponse>;
  snapshot(): Promise<BackendSnapshot>;
  defragment(): Promise<void>;
  /** Maintenance.Downgrade (VALIDATE, ENABLE, CANCEL); answers with the cluster version. */
  downgrade(action: number, version: string): Promise<{ header: object; version: string }>;

  /** The members as applied here; `linearizable` waits for a ReadIndex first (etcd 3.5's MemberListRequest). */
  memberList(linearizable?: boolean): Promise<Member[]>;
  /** Adds a member (a voter, or a learner); resolves with it once the change is applied. */
  memberAdd(peerUrls: string[], isLearner: boolean): Promise<Member>;
  memberRemove(id: bigint): Promise<void>;
  memberUpdate(id: bigint, peerUrls: string[]): Promise<void>;
  /** Promotes a caught-up learner to a voter (on the leader). */
  memberPromote(id: bigint): Promise<void>;
  /** Hands leadership to `target` (on the leader). */
  moveLeader(target: bigint): Promise<void>;
  /** Whether the member can serve: it has a leader and no alarm that stops writes (for /health). */
  health(): Promise<{ healthy: boolean; reason: string }>;
}
