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

async function whenHealthy<T>(change: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + unhealthyRetryMs;
  for (;;) {
    try {
      return await change();
    } catch (error) {
      if (!/unhealthy cluster/.test((error as Error).message) || Date.now() >= deadline) throw error;
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
  await post(target, '/v3/cluster/member/update', { ID: id, peerURLs: peerUrls });
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
