// The write and read-point side of a member: requests become Raft proposals whose callers wait, by request ID,
// until the Raft host applies the entry and settles them; membership changes and leadership transfers wait for
// their own outcome; linearizable reads wait for a ReadIndex round. This is the hot path of every write, so it
// reads its collaborators from fields and allocates nothing beyond the proposal itself.
import { uint64Long } from '../proto/uint64.ts';
import { Errors, EtcdError } from '../common/errors.ts';
import { leaderTransferTimeoutMs, proposalsPendingMax } from '../common/limits.ts';
import type { InternalRaftRequest } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import { ProposalDroppedError } from '../raft/index.ts';
import { NONE, type ConfChange } from '../raft/types.ts';
import type { AuthInfo } from '../auth/auth-store.ts';
import type { ApplyResult } from './applier.ts';
import type { RequestIdGenerator } from './ids.ts';
import { encodeInternalRequest, encodeProposedRequest, type ClientRequest } from './internal-request.ts';
import type { LeaderWait, MemberState } from './member-state.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RaftDriver } from './raft-driver.ts';
import type { ReadIndexCoordinator } from './read-index.ts';
import { requestTimeoutMs, type ServerConfig } from './server-config.ts';
import type { ServerRaft } from './server-parts.ts';
import type { WaitRegistry } from './wait.ts';

export type { ClientRequest } from './internal-request.ts';

/** What proposing needs from the member. */
export interface ProposalsParts {
  state: MemberState;
  config: ServerConfig;
  metrics: ServerMetrics;
  raft: ServerRaft;
  driver: RaftDriver;
  reads: ReadIndexCoordinator;
  /** Shared with the Raft host, which settles each waiter when its entry is applied. */
  waits: WaitRegistry<ApplyResult>;
  ids: RequestIdGenerator;
  clock: () => number;
  /** Whether the stream to peer `id` is up (to tell a lost connection from a plain timeout). */
  isPeerActive(id: bigint): boolean;
}

/** Proposes requests and membership changes, transfers leadership and waits for read points. */
export class Proposals {
  private readonly state: MemberState;
  private readonly config: ServerConfig;
  private readonly metrics: ServerMetrics;
  private readonly raft: ServerRaft;
  private readonly driver: RaftDriver;
  private readonly reads: ReadIndexCoordinator;
  private readonly waits: WaitRegistry<ApplyResult>;
  private readonly ids: RequestIdGenerator;
  private readonly clock: () => number;

  constructor(private readonly parts: ProposalsParts) {
    this.state = parts.state;
    this.config = parts.config;
    this.metrics = parts.metrics;
    this.raft = parts.raft;
    this.driver = parts.driver;
    this.reads = parts.reads;
    this.waits = parts.waits;
    this.ids = parts.ids;
    this.clock = parts.clock;
  }

  /** Proposes a request and resolves with its response once applied. */
  async propose(request: InternalRaftRequest): Promise<unknown> {
    return (await this.proposeForResult(request)).response;
  }

  /** Proposes a client request, as the gRPC layer decoded it, and resolves with its response once applied. */
  async proposeClientRequest(request: ClientRequest, info: AuthInfo | undefined): Promise<unknown> {
    return (await this.proposeForResult(request, true, info)).response;
  }

  /**
   * Proposes a request and resolves with its whole apply result. `clientShaped`: the request has the complete
   * shape of a decoded message (every field present), so the applier may use it as it is instead of decoding
   * the entry again.
   */
  async proposeForResult(request: InternalRaftRequest, clientShaped = false, info?: AuthInfo): Promise<ApplyResult> {
    if (this.state.stopping) throw Errors.Stopped;
    if (this.state.leaderId === NONE) throw Errors.NoLeader;
    if (this.waits.size >= proposalsPendingMax) throw Errors.TooManyRequests;
    const id = this.ids.next();
    // Who asked, and at which auth revision: the applier checks the permissions again against both.
    const username = info?.username ?? '';
    const authRevision = info?.revision ?? 0;
    const data = clientShaped
      ? encodeProposedRequest(request as ClientRequest, { id, username, authRevision })
      // The ID as a Long: the encoder would parse a decimal string.
      : encodeInternalRequest({ ...request, header: { ID: uint64Long(id), username, auth_revision: authRevision } });
    if (data.length > this.config.requestBytesMax) throw Errors.RequestTooLarge;
    const startedMs = this.clock();
    const waiting = this.waits.register(id, requestTimeoutMs(this.config), () => this.proposalTimeoutError(startedMs));
    try {
      this.raft.propose(data);
    } catch (error) {
      this.waits.trigger(id, { ok: false, error: error instanceof EtcdError ? error : Errors.NoLeader });
      this.metrics.proposalsFailed.inc();
    }
    this.driver.schedule();
    return waiting;
  }

  /**
   * Why a proposal made at `startedMs` timed out, in etcd's words: a leader was elected while it waited (the
   * old one failed), the leader is known but its stream is down (connection lost), or plainly timed out.
   */
  private proposalTimeoutError(startedMs: number): EtcdError {
    const electedMs = this.state.leaderElectedMs;
    if (startedMs > electedMs - 2 * this.config.electionMs && startedMs < electedMs) return Errors.TimeoutDueToLeaderFail;
    const leader = this.state.leaderId;
    if (leader !== NONE && leader !== this.state.memberId && !this.parts.isPeerActive(leader)) return Errors.TimeoutDueToConnectionLost;
    return Errors.Timeout;
  }

  /** Proposes a membership change and resolves once it is applied, or rejects with the apply-time refusal. */
  async proposeConfChange(change: ConfChange): Promise<void> {
    if (this.state.stopping) throw Errors.Stopped;
    if (this.state.leaderId === NONE) throw Errors.NoLeader;
    const waiting = this.waits.register(change.id, requestTimeoutMs(this.config), Errors.Timeout);
    try {
      this.raft.proposeConfChange(change);
    } catch (error) {
      // A leader refuses a second change while one is pending; etcd answers that with a timeout-like retry.
      this.waits.trigger(change.id, { ok: false, error: error instanceof ProposalDroppedError ? Errors.Unhealthy : Errors.NoLeader });
    }
    this.driver.schedule();
    await waiting;
  }

  /** Transfers leadership to `target` and resolves once it leads. */
  async transferLeadership(target: bigint): Promise<void> {
    let wait: LeaderWait | undefined;
    const led = new Promise<void>((resolve) => {
      wait = { target, resolve };
      this.state.leaderWaits.add(wait);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Errors.LeaderTransferTimeout), leaderTransferTimeoutMs);
    });
    try {
      this.raft.transferLeadership(target);
      this.driver.schedule();
      await Promise.race([led, timedOut]);
    } finally {
      clearTimeout(timer);
      this.state.leaderWaits.delete(wait!);
    }
  }

  /** Asks Raft for a read point; the ReadIndex coordinator calls this for each round. */
  requestReadIndex(context: Uint8Array): void {
    if (this.state.leaderId === NONE) throw Errors.NoLeader;
    this.raft.readIndex(context);
    this.driver.schedule();
  }

  /** Waits for a linearizable read point. */
  async linearizableRead(): Promise<void> {
    if (this.state.stopping) throw Errors.Stopped;
    await this.reads.waitForLinearizableRead();
  }
}
