// The member's ServerApi: what the gRPC services and the JSON gateway call. Writes are checked (caller, quota)
// and proposed; reads are served from the applied state, after a read point when they are linearizable;
// leases a follower cannot answer go to the leader; membership changes go through ClusterOps. Every semantic
// of the client API lives here or below, so the wire layer stays thin. put, txn and header() are on every
// client write's path: they read fields and call straight through, with no closures or wrappers per request.
import type { Uint64Long } from '../proto/uint64.ts';
import { Errors } from '../common/errors.ts';
import { leaseTtlSecondsMin } from '../common/limits.ts';
import type { Logger } from '../common/logger.ts';
import { etcdClusterVersion, etcdServerVersion } from '../common/version.ts';
import { NONE } from '../raft/types.ts';
import type { AuthStore } from '../auth/auth-store.ts';
import { PermissionType } from '../auth/permission-check.ts';
import type { Backend, BackendSnapshot } from '../storage/backend/backend.ts';
import type { AuthApi, Caller, ServerApi } from './server-api.ts';
import type { AuthOps } from './auth-ops.ts';
import { checkTxnPermitted } from './request-permissions.ts';
import type { ServerConfig } from './server-config.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RequestIdGenerator } from './ids.ts';
import type { AppliedIndexWait } from './applied-index-wait.ts';
import type { Applier } from './applier.ts';
import { AlarmType, alarmName } from './alarms.ts';
import { Membership, toProtoMember } from './membership.ts';
import type { ClusterOps } from './cluster-ops.ts';
import type { LeaderClient } from './leader-client.ts';
import { applyRange, isReadOnlyTxn } from './apply-kv.ts';
import { downgrade } from './downgrade.ts';
import type { WatchHub } from './watch-hub.ts';
import type { BackgroundDuties } from './background-duties.ts';
import type { MemberState } from './member-state.ts';
import type { Proposals } from './proposals.ts';
import type { ServerParts } from './server-parts.ts';
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
import type { HashResponse } from '../proto/generated/etcdserverpb/HashResponse.ts';
import type { HashKVResponse } from '../proto/generated/etcdserverpb/HashKVResponse.ts';
import type { Member } from '../proto/generated/etcdserverpb/Member.ts';
import type { ResponseHeader } from '../proto/generated/etcdserverpb/ResponseHeader.ts';

/** What the client API needs from the member. */
export interface MemberApiParts extends Pick<ServerParts, 'config' | 'logger' | 'metrics' | 'applier' | 'auth' | 'backend' | 'watchHub'> {
  state: MemberState;
  proposals: Proposals;
  authOps: AuthOps;
  clusterOps: ClusterOps;
  leaderClient: LeaderClient;
  applied: AppliedIndexWait;
  ids: RequestIdGenerator;
  duties: BackgroundDuties;
  /** The IDs every response header carries, ready for the encoder (see engine/proto/uint64.ts). */
  memberIdLong: Uint64Long;
  clusterIdLong: Uint64Long;
}

/** The client-facing operations of one member. */
export class MemberApi implements ServerApi {
  readonly limits;
  readonly watchHub: WatchHub;
  /** The Auth service. */
  readonly auth: AuthApi;
  private readonly state: MemberState;
  private readonly proposals: Proposals;
  private readonly authOps: AuthOps;
  private readonly authStore: AuthStore;
  private readonly applier: Applier;
  private readonly config: ServerConfig;
  private readonly metrics: ServerMetrics;
  private readonly logger: Logger;
  private readonly backend: Backend;
  private readonly memberIdLong: Uint64Long;
  private readonly clusterIdLong: Uint64Long;

  constructor(private readonly parts: MemberApiParts) {
    this.limits = {
      requestBytesMax: parts.config.requestBytesMax,
      txnOpsMax: parts.config.txnOpsMax,
      watchProgressNotifyIntervalMs: parts.config.watchProgressNotifyIntervalMs,
    };
    this.watchHub = parts.watchHub;
    this.auth = parts.authOps;
    this.state = parts.state;
    this.proposals = parts.proposals;
    this.authOps = parts.authOps;
    this.authStore = parts.auth;
    this.applier = parts.applier;
    this.config = parts.config;
    this.metrics = parts.metrics;
    this.logger = parts.logger;
    this.backend = parts.backend;
    this.memberIdLong = parts.memberIdLong;
    this.clusterIdLong = parts.clusterIdLong;
  }

  header(revision = 0): ResponseHeader {
    return {
      cluster_id: this.clusterIdLong,
      member_id: this.memberIdLong,
      revision: revision === 0 ? this.applier.currentRevision() : revision,
      raft_term: this.state.currentTerm,
    };
  }

  async range(request: RangeRequest__Output, caller?: Caller): Promise<RangeResponse> {
    if (!request.serializable) await this.proposals.linearizableRead();
    this.metrics.rangeTotal.inc();
    const info = await this.authOps.resolve(caller);
    this.authStore.checkOperation(info, request.key, request.range_end, PermissionType.Read);
    const response = applyRange(this.applier.readView(), request);
    this.authOps.checkFresh(info);
    return response;
  }

  async put(request: PutRequest__Output, caller?: Caller): Promise<PutResponse> {
    const info = await this.authOps.resolve(caller);
    this.checkQuota(request.key.length + request.value.length);
    this.metrics.putTotal.inc();
    return (await this.proposals.proposeClientRequest({ put: request }, info)) as PutResponse;
  }

  async deleteRange(request: DeleteRangeRequest__Output, caller?: Caller): Promise<DeleteRangeResponse> {
    const info = await this.authOps.resolve(caller);
    this.metrics.deleteTotal.inc();
    return (await this.proposals.proposeClientRequest({ delete_range: request }, info)) as DeleteRangeResponse;
  }

  async txn(request: TxnRequest__Output, caller?: Caller): Promise<TxnResponse> {
    const info = await this.authOps.resolve(caller);
    this.metrics.txnTotal.inc();
    if (isReadOnlyTxn(request)) {
      // etcd serves read-only txns without the log: linearizable unless every range is serializable.
      if (!isSerializableTxn(request)) await this.proposals.linearizableRead();
      checkTxnPermitted(this.authStore, info, request);
      const response = this.applier.readOnlyTxn(request);
      this.authOps.checkFresh(info);
      return response;
    }
    this.checkQuota(0);
    return (await this.proposals.proposeClientRequest({ txn: request }, info)) as TxnResponse;
  }

  /** Refuses writes while NOSPACE is raised; raises it when the backend has outgrown its quota. */
  private checkQuota(extraBytes: number): void {
    if (this.applier.hasAlarm(AlarmType.NoSpace)) throw Errors.NoSpace;
    const quota = this.config.quotaBackendBytes;
    if (this.state.backendTotalBytes + extraBytes <= quota) return;
    this.logger.warn('database space exceeded', { 'quota-size-bytes': quota });
    void this.proposals.propose({ alarm: { action: 1, memberID: this.state.memberId.toString(), alarm: AlarmType.NoSpace } }).catch(() => undefined);
    throw Errors.NoSpace;
  }

  async authorizeWatch(caller: Caller | undefined, key: Uint8Array, rangeEnd: Uint8Array): Promise<void> {
    this.authStore.checkOperation(await this.authOps.resolve(caller), key, rangeEnd, PermissionType.Read);
  }

  async authorizeAdmin(caller: Caller | undefined): Promise<void> {
    await this.authOps.checkAdmin(caller);
  }

  async compact(request: CompactionRequest__Output): Promise<CompactionResponse> {
    const result = await this.proposals.proposeForResult({ compaction: request });
    if (request.physical && result.physicalDone) await result.physicalDone;
    return result.response as CompactionResponse;
  }

  async leaseGrant(request: LeaseGrantRequest__Output): Promise<LeaseGrantResponse> {
    this.checkQuota(0);
    let id = BigInt(request.ID);
    // etcd picks an ID from the request ID generator, keeping it positive as an int64.
    if (id === 0n) id = this.parts.ids.next() & ((1n << 63n) - 1n);
    const ttl = Math.max(Number(request.TTL), leaseTtlSecondsMin(this.config.heartbeatMs, this.config.electionMs));
    return (await this.proposals.propose({ lease_grant: { ID: id.toString(), TTL: ttl } })) as LeaseGrantResponse;
  }

  async leaseRevoke(id: bigint, caller?: Caller): Promise<LeaseRevokeResponse> {
    const info = await this.authOps.resolve(caller);
    if (!this.applier.leaseExists(id)) throw Errors.LeaseNotFound;
    return (await this.proposals.proposeForResult({ lease_revoke: { ID: id.toString() } }, false, info)).response as LeaseRevokeResponse;
  }

  async leaseRenew(id: bigint): Promise<number> {
    if (this.state.leaderId === this.state.memberId) return this.applier.renewLease(id);
    if (this.state.leaderId === NONE) throw Errors.NoLeader;
    return this.parts.leaderClient.renewLease(id);
  }

  async leaseTimeToLive(id: bigint, keys: boolean): Promise<LeaseTimeToLiveResponse> {
    // Only the leader's countdown is the real one; a follower's copy of the lease does not tick.
    if (this.state.leaderId !== this.state.memberId && this.state.leaderId !== NONE) return this.parts.leaderClient.leaseTimeToLive(id, keys);
    return this.applier.leaseTimeToLive(id, keys);
  }

  async leaseLeases(): Promise<LeaseLeasesResponse> {
    return { header: {}, leases: this.applier.leaseIds().map((id) => ({ ID: id.toString() })) };
  }

  async alarm(request: AlarmRequest__Output): Promise<AlarmResponse> {
    if (request.action === 0) return { header: {}, alarms: this.applier.alarmList(request.alarm) };
    return (await this.proposals.propose({ alarm: request })) as AlarmResponse;
  }

  async status(): Promise<StatusResponse> {
    const size = this.backend.size();
    return {
      header: {},
      version: etcdServerVersion,
      dbSize: size.totalBytes,
      dbSizeInUse: size.inUseBytes,
      leader: this.state.leaderId.toString(),
      raftIndex: this.state.committedIndex,
      raftTerm: this.state.currentTerm,
      raftAppliedIndex: this.parts.applied.appliedIndex,
      errors: this.applier.alarmList(AlarmType.None).map((alarm) => `memberID:${String(alarm.memberID)} alarm:${alarmName(alarm.alarm as AlarmType)} `),
      isLearner: Membership.member(this.backend, this.state.memberId)?.isLearner ?? false,
    };
  }

  async hash(): Promise<HashResponse> {
    return { header: {}, hash: this.applier.backendHash() };
  }

  async hashKV(revision: number): Promise<HashKVResponse> {
    const result = this.applier.hashKV(revision);
    return { header: { revision: result.currentRevision }, hash: result.hash, compact_revision: result.compactRevision, hash_revision: result.hashRevision };
  }

  async snapshot(): Promise<BackendSnapshot> {
    await this.backend.sync();
    return this.backend.snapshot();
  }

  async defragment(): Promise<void> {
    this.logger.info('starting defragment', {});
    await this.backend.defragment();
    this.logger.info('finished defragment', {});
    this.parts.duties.updateSizeMetrics();
  }

  async downgrade(action: number, version: string): Promise<{ header: object; version: string }> {
    return downgrade(
      { backend: this.backend, clusterVersion: etcdClusterVersion, linearizableRead: () => this.proposals.linearizableRead(), propose: (request) => this.proposals.propose(request) },
      action,
      version,
    );
  }

  async memberList(linearizable = false): Promise<Member[]> {
    if (linearizable) await this.proposals.linearizableRead();
    return Membership.members(this.backend).map(toProtoMember);
  }

  async memberAdd(peerUrls: string[], isLearner: boolean): Promise<Member> {
    return toProtoMember(await this.parts.clusterOps.add(peerUrls, isLearner));
  }

  async memberRemove(id: bigint): Promise<void> {
    await this.parts.clusterOps.remove(id);
  }

  async memberUpdate(id: bigint, peerUrls: string[]): Promise<void> {
    await this.parts.clusterOps.update(id, peerUrls);
  }

  async memberPromote(id: bigint): Promise<void> {
    if (this.state.leaderId === this.state.memberId || this.state.leaderId === NONE) return this.parts.clusterOps.promote(id);
    // Only the leader knows whether the learner has caught up, so it promotes (as etcd forwards it). The leader
    // answers once it applied the change; a read barrier then makes this member apply it too before answering,
    // so the member list in the response, and the next one asked here, show the promotion. etcd answers without
    // it; if the barrier fails the promotion still happened, so its answer stands.
    await this.parts.leaderClient.promote(id);
    await this.proposals.linearizableRead().catch(() => undefined);
  }

  async moveLeader(target: bigint): Promise<void> {
    await this.parts.clusterOps.moveLeader(target);
  }

  async health(): Promise<{ healthy: boolean; reason: string }> {
    if (this.state.leaderId === NONE) return { healthy: false, reason: 'RAFT NO LEADER' };
    const alarms = this.applier.alarmList(AlarmType.None);
    if (alarms.length > 0) return { healthy: false, reason: `ALARM ${alarms.map((alarm) => alarmName(alarm.alarm as AlarmType)).join(',')}` };
    try {
      await this.proposals.linearizableRead();
    } catch (error) {
      return { healthy: false, reason: `QGET ERROR:${(error as Error).message}` };
    }
    return { healthy: true, reason: '' };
  }
}

/** Whether every range of a read-only txn (nested txns included) is serializable. */
function isSerializableTxn(request: TxnRequest__Output): boolean {
  return [...request.success, ...request.failure].every((operation) =>
    operation.request === 'request_range'
      ? operation.request_range!.serializable
      : operation.request === 'request_txn' && operation.request_txn
        ? isSerializableTxn(operation.request_txn)
        : false,
  );
}
