// Decides what a failed client call means for the history: 'fail' when the call certainly did not take effect,
// 'unknown' when it may have (it may even take effect after the client gave up). Unknown is always safe for the
// checker (it only widens the search), while a wrong 'fail' would hide a write that happened and produce a false
// violation, so only errors that prove the request was never proposed count as 'fail':
//   - grpc-js's picker failing a call with "No connection established": no transport ever carried the request;
//   - statuses etcd returns while validating a request, before proposing it (bad argument, compacted revision,
//     permission, unimplemented).
// Everything else is unknown, including `etcdserver: request timed out`, `etcdserver: leader changed`,
// `etcdserver: no leader` (a member can lose its leader after forwarding the proposal), deadlines, cancellations,
// dropped connections and errors that are not gRPC statuses at all.
import * as grpc from '@grpc/grpc-js';
import type { Outcome } from './linearizability/history.ts';
import { isServiceError } from './grpc-client.ts';

/** Status codes etcd only returns for requests it rejected before proposing them. */
const rejectedBeforeProposal = new Set<grpc.status>([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.ALREADY_EXISTS,
  grpc.status.PERMISSION_DENIED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNIMPLEMENTED,
  grpc.status.UNAUTHENTICATED,
]);

/** What an error says about whether the call took effect, and a short reason for the history. */
export function outcomeOfError(error: unknown): { outcome: Exclude<Outcome, 'ok'>; reason: string } {
  if (!isServiceError(error)) return { outcome: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  const reason = `${grpc.status[error.code] ?? error.code}: ${error.details}`;
  if (error.code === grpc.status.UNAVAILABLE && /^(\w+: )?No connection established/.test(error.details)) return { outcome: 'fail', reason };
  if (rejectedBeforeProposal.has(error.code)) return { outcome: 'fail', reason };
  return { outcome: 'unknown', reason };
}
