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

  range(request: RangeRequest__Output): Promise<RangeResponse>;
  put(request: PutRequest__Output): Promise<PutResponse>;
  deleteRange(request: DeleteRangeRequest__Output): Promise<DeleteRangeResponse>;
  txn(request: TxnRequest__Output): Promise<TxnResponse>;
  compact(request: CompactionRequest__Output): Promise<CompactionResponse>;

  leaseGrant(request: LeaseGrantRequest__Output): Promise<LeaseGrantResponse>;
  leaseRevoke(id: bigint): Promise<LeaseRevokeResponse>;
  /** Renews a lease (keep-alive); returns the TTL in seconds, or 0 when the lease does not exist. */
  leaseRenew(id: bigint): Promise<number>;
  leaseTimeToLive(id: bigint, keys: boolean): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(): Promise<LeaseLeasesResponse>;

  /** The watch event source for watch streams. */
  readonly watchHub: WatchHub;

  alarm(request: AlarmRequest__Output): Promise<AlarmResponse>;
  status(): Promise<StatusResponse>;
  hash(): Promise<HashResponse>;
  hashKV(revision: number): Promise<HashKVResponse>;
  snapshot(): Promise<BackendSnapshot>;
  defragment(): Promise<void>;

  memberList(): Promise<Member[]>;
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
