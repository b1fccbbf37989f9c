// Membership changes the supervisor makes itself, through a member's JSON gateway (etcd's public HTTP API, the
// same one the health probe uses): moving a member to another peer URL (TLS on or off) and adding or removing
// the local cluster's extra members. The GUI's own membership calls go through Cairn's gRPC client instead.
import { memberRequest } from './health-probe.ts';
import type { ClientTlsMaterial } from './member-tls.ts';

/** Where to send a membership request: a running member's client URL, and its TLS material when https. */
export interface GatewayTarget {
  clientUrl: string;
  tls?: ClientTlsMaterial;
}

/** How long one membership request may take, in milliseconds (a conf change goes through Raft). */
const membershipTimeoutMs = 10_000;

/**
 * How long a change refused as "unhealthy cluster" is retried, in milliseconds. With --strict-reconfig-check
 * (on by default, as in etcd) members refuse membership changes until every peer link has been up for a health
 * interval (5 s), which is never the case right after the local cluster started.
 */
const unhealthyRetryMs = 20_000;
const unhealthyRetryPauseMs = 500;

/** Refusals that say "not now": the change was not made. */
const refusedForNow = /unhealthy cluster/;
/**
 * Answers after which a change may or may not have been made (a leader change or a slow apply while members
 * restart): only an idempotent change, such as setting a member's peer URLs, may be sent again.
 */
const outcomeUnknown = /unhealthy cluster|request timed out|leader changed|no leader/;

async function whenHealthy<T>(change: () => Promise<T>, retryable = refusedForNow): Promise<T> {
  const deadline = Date.now() + unhealthyRetryMs;
  for (;;) {
    try {
      return await change();
    } catch (error) {
      if (!retryable.test((error as Error).message) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, unhealthyRetryPauseMs));
    }
  }
}

async function post(target: GatewayTarget, route: string, body: object): Promise<Record<string, unknown>> {
  const { status, text } = await memberRequest(`${target.clientUrl}${route}`, 'POST', JSON.stringify(body), target.tls, membershipTimeoutMs);
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Reported below with the raw text.
  }
  if (status !== 200) throw new Error(`${route} answered HTTP ${status}: ${typeof parsed.message === 'string' ? parsed.message : text.trim().slice(0, 300)}`);
  return parsed;
}

/** MemberUpdate: the cluster knows member `id` (decimal) by `peerUrls` from now on. */
export async function updateMemberPeerUrls(target: GatewayTarget, id: string, peerUrls: readonly string[]): Promise<void> {
  // Idempotent, so an answer that leaves the outcome open (seen while members restart one by one) is retried.
  await whenHealthy(() => post(target, '/v3/cluster/member/update', { ID: id, peerURLs: peerUrls }), outcomeUnknown);
}

/** MemberAdd: registers a member at `peerUrl`, as a learner when asked; resolves with its id (decimal). */
export async function addMember(target: GatewayTarget, peerUrl: string, isLearner: boolean): Promise<string> {
  const response = await whenHealthy(() => post(target, '/v3/cluster/member/add', { peerURLs: [peerUrl], isLearner }));
  const id = (response.member as { ID?: unknown } | undefined)?.ID;
  if (typeof id !== 'string' || !/^[0-9]+$/.test(id)) throw new Error(`MemberAdd answered without a member id: ${JSON.stringify(response).slice(0, 300)}`);
  return id;
}

/** MemberRemove of member `id` (decimal). */
export async function removeMember(target: GatewayTarget, id: string): Promise<void> {
  await whenHealthy(() => post(target, '/v3/cluster/member/remove', { ID: id }));
}
