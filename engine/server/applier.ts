// Applies committed log entries to the member's state. Each entry is applied in one backend transaction that
// also records its index, so state and applied index can never disagree after a crash. Requests that fail
// on apply (a missing lease, a compacted revision, NOSPACE) fail the same way on every member, which is what
// keeps members identical; the error goes back to the proposer only.
import { uint64Value } from '../proto/uint64.ts';
import { Errors, EtcdError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { ConfChangeType, EntryType, type ConfChange, type Entry } from '../raft/types.ts';
import type { Backend, WriteTx } from '../storage/backend/backend.ts';
import type { InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { TxnResponse } from '../proto/generated/etcdserverpb/TxnResponse.ts';
import type { AlarmMember } from '../proto/generated/etcdserverpb/AlarmMember.ts';
import type { AlarmRequest__Output } from '../proto/generated/etcdserverpb/AlarmRequest.ts';
import type { LeaseTimeToLiveResponse } from '../proto/generated/etcdserverpb/LeaseTimeToLiveResponse.ts';
import type { ApplyOutcome } from './wait.ts';
import { decodeInternalRequest } from './internal-request.ts';
import { decodeConfChange } from '../raft/confchange-codec.ts';
import { applyDeleteRange, applyPut, applyTxn, type KvApplyContext } from './apply-kv.ts';
import type { KvReadView } from './kv-views.ts';
import type { KvHash, LeaseState, MvccState } from './state-ports.ts';
import { AlarmStore, AlarmType, alarmName } from './alarms.ts';
import { Membership, decodeMember } from './membership.ts';
import { backendHash } from './backend-hash.ts';
import type { AuthStore } from '../auth/auth-store.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import { applyAuthRequest } from './apply-auth.ts';
import { writeDowngradeInfo } from './downgrade-info.ts';
import { etcdServerVersion } from '../common/version.ts';
import type { DowngradeInfoSetRequest__Output } from '../proto/generated/cairnpb/DowngradeInfoSetRequest.ts';
import { checkAppliedRequest } from './request-permissions.ts';

/** What a proposer gets back. */
export interface ApplyResult {
  response: unknown;
  /** For compactions: settles when the superseded revisions are physically removed. */
  physicalDone?: Promise<void>;
}

/** What the applier needs besides the state machines. */
export interface ApplierOptions {
  backend: Backend;
  mvcc: MvccState;
  leases: LeaseState;
  logger: Logger;
  /** Applies a membership change to Raft (returns nothing; Raft tracks the configuration). */
  applyConfChange: (change: ConfChange) => void;
  /** Users, roles, permissions; every auth change and every permission re-check happens on apply. */
  auth: AuthStore;
  /** This member's tokens (simple or JWT), minted when an Authenticate entry is applied. */
  tokens: TokenProvider;
}

function emptyHeader(): { revision?: number } {
  return {};
}

/** The state machine of a member. */
export class Applier implements KvApplyContext {
  private readonly alarms = new AlarmStore();
  /** The physical removal started by the compaction being applied, handed to its proposer. */
  private physicalDone: Promise<void> | undefined;

  constructor(private readonly options: ApplierOptions) {
    this.alarms.load(options.backend);
  }

  /**
   * Re-applies the membership change of an entry the backend already holds (a restart replays the log from
   * its start: Raft's configuration is rebuilt, the backend is not written twice).
   */
  replayConfChange(entry: Entry): void {
    if (entry.type === EntryType.ConfChange) this.options.applyConfChange(decodeConfChange(entry.data));
  }

  /**
   * Applies committed entries in as few backend transactions as possible (one per Ready, not per entry). A transaction ends early after a compaction (the MVCC store takes one per transaction).
   * Returns the proposers' outcomes; membership changes reach Raft after their transaction committed.
   */
  applyEntries(entries: readonly Entry[]): Array<{ id: bigint; result: ApplyOutcome<ApplyResult> }> {
    const outcomes: Array<{ id: bigint; result: ApplyOutcome<ApplyResult> }> = [];
    let next = 0;
    while (next < entries.length) {
      const changes: ConfChange[] = [];
      const batchOutcomes: typeof outcomes = [];
      try {
        next = this.options.backend.write((tx) => this.applyBatch(tx, entries, next, batchOutcomes, changes));
      } catch (error) {
        this.options.mvcc.afterAbort();
        throw error;
      }
      this.options.mvcc.afterCommit();
      for (const change of changes) this.options.applyConfChange(change);
      outcomes.push(...batchOutcomes);
    }
    return outcomes;
  }

  /** Applies entries from `start` inside `tx`; returns the index of the first entry not applied. */
  private applyBatch(tx: WriteTx, entries: readonly Entry[], start: number, outcomes: Array<{ id: bigint; result: ApplyOutcome<ApplyResult> }>, changes: ConfChange[]): number {
    const { mvcc } = this.options;
    let position = start;
    while (position < entries.length) {
      const entry = entries[position++]!;
      if (entry.type === EntryType.ConfChange) {
        const change = decodeConfChange(entry.data);
        const refusal = this.applyMembershipChange(tx, change);
        // A refused change still takes its log slot: Raft applies it as a no-op (node NONE), as etcd does.
        changes.push(refusal === undefined ? change : { ...change, nodeId: 0n });
        outcomes.push({ id: change.id, result: refusal === undefined ? { ok: true, value: { response: undefined } } : { ok: false, error: refusal } });
        continue;
      }
      // A new leader's empty entry carries nothing but its index.
      if (entry.data.length === 0) continue;
      const request = decodeInternalRequest(entry.data);
      const id = uint64Value(request.header?.ID ?? request.ID);
      this.physicalDone = undefined;
      try {
        // Every apply step checks before it writes, and MVCC undoes its own writes when a step throws, so a
        // refused request leaves nothing behind in the shared transaction.
        const response = this.applyRequest(tx, request, entry.index);
        outcomes.push({ id, result: { ok: true, value: { response, physicalDone: this.physicalDone } } });
      } catch (error) {
        if (!(error instanceof EtcdError)) throw error;
        outcomes.push({ id, result: { ok: false, error } });
      }
      if (request.compaction) break;
    }
    // The applied index goes into the same transaction as the entries' changes, once for the whole batch.
    if (position > start) mvcc.setConsistentIndex(tx, entries[position - 1]!.index);
    return position;
  }

  private applyRequest(tx: WriteTx, request: InternalRaftRequest__Output, index: number): unknown {
    const { mvcc, leases, auth, tokens } = this.options;
    // Permissions are checked against the auth state as applied so far, identically on every member.
    checkAppliedRequest(auth, tx, request, (id) => (leases.exists(id) ? leases.timeToLive(id, true).keys : []));
    // An entry holds exactly one request: the key-space writes, most of the log, are looked for first.
    const noSpace = this.alarms.has(AlarmType.NoSpace);
    if (request.put) {
      if (noSpace) throw Errors.NoSpace;
      const lease = request.put.lease === '0' ? 0n : BigInt(request.put.lease);
      if (lease !== 0n && !leases.exists(lease)) throw Errors.LeaseNotFound;
      return mvcc.write(tx, (view) => applyPut(view, request.put!));
    }
    if (request.delete_range) return mvcc.write(tx, (view) => applyDeleteRange(view, request.delete_range!));
    if (request.txn) {
      if (noSpace && txnHasPut(request.txn)) throw Errors.NoSpace;
      return applyTxn(mvcc.readView(), (write) => mvcc.write(tx, write), request.txn, this);
    }
    const authResponse = applyAuthRequest({ auth, tokens }, tx, request, index);
    if (authResponse !== undefined) return authResponse;
    if (request.compaction) {
      this.physicalDone = mvcc.compact(tx, Number(request.compaction.revision));
      return { header: emptyHeader() };
    }
    if (request.lease_grant) {
      if (noSpace) throw Errors.NoSpace;
      const granted = leases.grant(tx, BigInt(request.lease_grant.ID), Number(request.lease_grant.TTL));
      return { header: emptyHeader(), ID: granted.id.toString(), TTL: granted.ttlSeconds, error: '' };
    }
    if (request.lease_revoke) {
      const keys = leases.revoke(tx, BigInt(request.lease_revoke.ID));
      if (keys.length > 0) {
        mvcc.write(tx, (view) => {
          for (const key of keys) view.deleteRange(key, undefined);
        });
      }
      return { header: emptyHeader() };
    }
    if (request.lease_checkpoint) {
      leases.checkpoint(
        tx,
        request.lease_checkpoint.checkpoints.map((checkpoint) => ({ id: BigInt(checkpoint.ID), remainingTtl: Number(checkpoint.remaining_TTL) })),
      );
      return { header: emptyHeader() };
    }
    if (request.alarm) return this.applyAlarm(tx, request.alarm);
    if (request.cluster_member_attr_set) {
      const attributes = request.cluster_member_attr_set;
      const member = Membership.member(tx, BigInt(attributes.member_ID));
      if (member) {
        Membership.save(tx, { ...member, name: attributes.member_attributes!.name, clientUrls: attributes.member_attributes!.client_urls });
      }
      return {};
    }
    if (request.cluster_version_set) return {};
    if (request.downgrade_info_set) return this.applyDowngradeInfoSet(tx, request.downgrade_info_set);
    throw new EtcdError(Errors.NotCapable.code, 'etcdserver: unknown request in log entry');
  }

  private applyAlarm(tx: WriteTx, request: AlarmRequest__Output): { header: object; alarms: AlarmMember[] } {
    const alarm = { memberId: BigInt(request.memberID), type: request.alarm as AlarmType };
    const changed = request.action === 1 ? this.alarms.activate(tx, alarm) : request.action === 2 ? this.alarms.deactivate(tx, alarm) : undefined;
    if (changed) this.options.logger.warn(request.action === 1 ? 'alarm raised' : 'alarm disarmed', { alarm: alarmName(alarm.type), 'member-id': alarm.memberId });
    return { header: emptyHeader(), alarms: changed ? [{ memberID: changed.memberId.toString(), alarm: changed.type }] : [] };
  }

  /** Records or clears the downgrade job (etcd's DowngradeInfoSet: a disabled job keeps no target). */
  private applyDowngradeInfoSet(tx: WriteTx, request: DowngradeInfoSetRequest__Output): object {
    writeDowngradeInfo(tx, { enabled: request.enabled, targetVersion: request.enabled ? request.ver : '' });
    if (request.enabled) this.options.logger.info('The server is ready to downgrade', { 'target-version': request.ver, 'server-version': etcdServerVersion });
    else this.options.logger.info('downgrade job cancelled', {});
    return {};
  }

  /**
   * Applies a membership change to the member records, or refuses it (returning the error) when it does not fit
   * the membership as applied so far: proposals are checked too, but two racing proposals can both pass.
   */
  private applyMembershipChange(tx: WriteTx, change: ConfChange): EtcdError | undefined {
    const existing = Membership.member(tx, change.nodeId);
    const conflictsWithPeerUrls = (peerUrls: string[]): boolean =>
      Membership.members(tx).some((member) => member.id !== change.nodeId && member.peerUrls.some((url) => peerUrls.includes(url)));
    if (change.type === ConfChangeType.AddNode || change.type === ConfChangeType.AddLearnerNode) {
      // etcd reports a removed ID like an existing one here, and like a missing one below.
      if (Membership.isRemoved(tx, change.nodeId)) return Errors.MemberExist;
      const member = decodeMember(change.context ?? new Uint8Array());
      if (existing !== undefined) {
        // Adding an existing learner as a voter is its promotion; anything else re-adds a member.
        if (!(existing.isLearner && change.type === ConfChangeType.AddNode)) return Errors.MemberExist;
        Membership.save(tx, { ...existing, isLearner: false });
        return undefined;
      }
      if (conflictsWithPeerUrls(member.peerUrls)) return Errors.PeerURLExist;
      Membership.save(tx, { ...member, id: change.nodeId, isLearner: change.type === ConfChangeType.AddLearnerNode });
    } else if (change.type === ConfChangeType.RemoveNode) {
      if (existing === undefined) return Errors.MemberNotFound;
      Membership.remove(tx, change.nodeId);
    } else if (change.type === ConfChangeType.UpdateNode) {
      if (existing === undefined) return Errors.MemberNotFound;
      const updated = decodeMember(change.context ?? new Uint8Array());
      if (conflictsWithPeerUrls(updated.peerUrls)) return Errors.PeerURLExist;
      Membership.save(tx, { ...existing, peerUrls: updated.peerUrls });
    }
    return undefined;
  }

  /** Reloads what the applier keeps in memory (alarms) after the backend was replaced by a snapshot's. */
  reloadState(): void {
    this.alarms.load(this.options.backend);
    this.options.auth.reload();
  }

  // ---- reads used by the server ----

  /** A read view at the current revision. */
  readView(): KvReadView {
    return this.options.mvcc.readView();
  }

  /** A read-only txn served without the log. */
  readOnlyTxn(request: TxnRequest__Output): TxnResponse {
    const view = this.options.mvcc.readView();
    return applyTxn(view, () => {
      throw new Error('a read-only txn cannot write');
    }, request, this);
  }

  /** Whether a lease exists (KvApplyContext). */
  leaseExists(id: bigint): boolean {
    return this.options.leases.exists(id);
  }

  currentRevision(): number {
    return this.options.mvcc.currentRevision();
  }

  compactedRevision(): number {
    return this.options.mvcc.compactedRevision();
  }

  hashKV(revision: number): KvHash {
    return this.options.mvcc.hash(revision);
  }

  /** A hash over the whole backend (Maintenance.Hash). */
  /** Maintenance.Hash: the whole backend, not only the key space. */
  backendHash(): number {
    return backendHash(this.options.backend);
  }

  hasAlarm(type: AlarmType): boolean {
    return this.alarms.has(type);
  }

  alarmList(type: number): AlarmMember[] {
    return this.alarms.list(type as AlarmType).map((alarm) => ({ memberID: alarm.memberId.toString(), alarm: alarm.type }));
  }

  renewLease(id: bigint): number {
    try {
      return this.options.leases.renew(id);
    } catch (error) {
      if (error instanceof EtcdError && error.message === Errors.LeaseNotFound.message) return 0;
      throw error;
    }
  }

  leaseTimeToLive(id: bigint, keys: boolean): LeaseTimeToLiveResponse {
    const status = this.options.leases.timeToLive(id, keys);
    return { header: {}, ID: id.toString(), TTL: status.remainingTtl, grantedTTL: status.grantedTtl, keys: keys ? status.keys.map((key) => Buffer.from(key)) : [] };
  }

  leaseIds(): bigint[] {
    return this.options.leases.ids();
  }

  expiredLeases(): bigint[] {
    return this.options.leases.expired();
  }

  leaseCheckpoints(): Array<{ id: bigint; remainingTtl: number }> {
    return this.options.leases.checkpoints();
  }

  setPrimary(primary: boolean): void {
    this.options.leases.setPrimary(primary);
  }
}

function txnHasPut(request: TxnRequest__Output): boolean {
  return [...request.success, ...request.failure].some((operation) =>
    operation.request === 'request_put' ? true : operation.request === 'request_txn' && operation.request_txn ? txnHasPut(operation.request_txn) : false,
  );
}


