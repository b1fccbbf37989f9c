// The operations a compat run sends, and how one is executed against one server and normalized. Every operation
// is plain data, so a failing run can print exactly what was sent.
import type { EtcdClient, WatchStream } from '../support/grpc-client.ts';
import type { RangeRequest } from '../../engine/proto/generated/etcdserverpb/RangeRequest.ts';
import type { PutRequest } from '../../engine/proto/generated/etcdserverpb/PutRequest.ts';
import type { DeleteRangeRequest } from '../../engine/proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { TxnRequest } from '../../engine/proto/generated/etcdserverpb/TxnRequest.ts';
import type { CompactionRequest } from '../../engine/proto/generated/etcdserverpb/CompactionRequest.ts';
import type { LeaseGrantRequest } from '../../engine/proto/generated/etcdserverpb/LeaseGrantRequest.ts';
import type { WatchCreateRequest } from '../../engine/proto/generated/etcdserverpb/WatchCreateRequest.ts';
import { errorOutcome, normalize, outcomeOf, type Outcome } from './normalize.ts';

/** One request of a compat run. */
export type Operation =
  | { kind: 'range'; request: RangeRequest }
  | { kind: 'put'; request: PutRequest }
  | { kind: 'deleteRange'; request: DeleteRangeRequest }
  | { kind: 'txn'; request: TxnRequest }
  | { kind: 'compact'; request: CompactionRequest }
  | { kind: 'leaseGrant'; request: LeaseGrantRequest }
  | { kind: 'leaseRevoke'; id: string }
  | { kind: 'leaseTimeToLive'; id: string; keys: boolean }
  | { kind: 'leaseLeases' }
  | { kind: 'watchCreate'; request: WatchCreateRequest }
  | { kind: 'watchCancel'; watchId: string }
  | { kind: 'watchProgress' };

/** One server as the harness sees it: a client and one Watch stream that carries every watcher of the run. */
export interface Session {
  readonly label: string;
  readonly client: EtcdClient;
  readonly watch: WatchStream;
}

/** How long to wait for a watch answer; etcd sends none when cancelling an unknown id, so keep it short. */
export const watchAnswerWaitMs = 1_000;

/** Sends one operation and returns its normalized outcome; never throws. */
export function execute(session: Session, operation: Operation): Promise<Outcome> {
  const { kv, lease } = session.client;
  switch (operation.kind) {
    case 'range':
      return outcomeOf(() => kv.range(operation.request));
    case 'put':
      return outcomeOf(() => kv.put(operation.request));
    case 'deleteRange':
      return outcomeOf(() => kv.deleteRange(operation.request));
    case 'txn':
      return outcomeOf(() => kv.txn(operation.request));
    case 'compact':
      return outcomeOf(() => kv.compact(operation.request));
    case 'leaseGrant':
      return outcomeOf(() => lease.grant(operation.request));
    case 'leaseRevoke':
      return outcomeOf(() => lease.revoke({ ID: operation.id }));
    case 'leaseTimeToLive':
      return outcomeOf(() => lease.timeToLive({ ID: operation.id, keys: operation.keys }), stableTimeToLive);
    case 'leaseLeases':
      return outcomeOf(() => lease.leases(), sortLeases);
    case 'watchCreate':
      return outcomeOf(() => session.watch.create(operation.request, watchAnswerWaitMs * 5), dropEvents);
    case 'watchCancel':
      return watchCancel(session, operation.watchId);
    case 'watchProgress':
      return watchProgress(session);
  }
}

function stableTimeToLive(response: Record<string, unknown>): void {
  // The remaining TTL counts down while the run goes on; only whether the lease is still alive is stable.
  if (Number(response.TTL) > 0) response.TTL = 'positive';
  // etcd lists a lease's keys from a Go map, in no fixed order.
  if (Array.isArray(response.keys)) response.keys = [...(response.keys as string[])].sort();
}

function sortLeases(response: Record<string, unknown>): void {
  // etcd orders leases by expiry time, which differs by milliseconds between servers; compare them by id.
  const leases = response.leases as Array<{ ID: string }> | undefined;
  leases?.sort((left, right) => (BigInt(left.ID) < BigInt(right.ID) ? -1 : BigInt(left.ID) > BigInt(right.ID) ? 1 : 0));
}

function dropEvents(response: Record<string, unknown>): void {
  // A created answer carries no events; events are compared per watcher at the end of the run.
  delete response.events;
}

/** True for a progress notification: not tied to a watcher (id -1), neither created nor canceled. */
function isProgress(response: { watch_id?: string; created?: boolean; canceled?: boolean }): boolean {
  return response.watch_id === '-1' && !response.created && !response.canceled;
}

async function watchProgress(session: Session): Promise<Outcome> {
  // etcd 3.4 answers a progress request at once with the current revision. etcd 3.5 answers only once every
  // watcher of the stream is synced, so there the answer can come later (same content once it comes).
  const answer = session.watch.next(isProgress, watchAnswerWaitMs);
  session.watch.requestProgress();
  return outcomeOf(() => answer, dropEvents);
}

async function watchCancel(session: Session, watchId: string): Promise<Outcome> {
  try {
    const answer = normalize(await session.watch.cancel(watchId, watchAnswerWaitMs)) as Record<string, unknown>;
    dropEvents(answer);
    return { response: answer };
  } catch (error) {
    // etcd does not answer a cancel for an id it does not know; the absence of an answer is the outcome.
    if (error instanceof Error && error.message.startsWith('no matching watch response')) return { response: 'no answer' };
    return errorOutcome(error);
  }
}
