// Cluster membership and per-endpoint status. Status is asked of every member's advertised client URL and of
// every endpoint of the connection (they may be a load balancer), in parallel with a short deadline, so one
// dead member costs one timeout, not one per member.
import type { ClusterService, EndpointStatus, MemberSummary } from '../../common/contract.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import type { EtcdConnection } from '../etcd/etcd-connection.ts';
import { toCairnError } from '../etcd/etcd-error.ts';
import type { Member__Output } from '../../../engine/proto/generated/etcdserverpb/Member.ts';
import { settle } from './call.ts';

/** Deadline of one status probe, in milliseconds. */
const statusDeadlineMs = 3_000;

/** The cluster service over the open connections. */
export function createClusterService(registry: ConnectionRegistry): ClusterService {
  return {
    overview: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const list = await connection.call('read', (s) => s.cluster.memberList.bind(s.cluster), { linearizable: false });
      const members = list.members.map(toMember);
      const endpoints = await statusOf(connection, connection.endpoints.map((endpoint) => endpoint.text));
      const reachable = new Map(endpoints.filter((each) => each.reachable).map((each) => [each.memberId, each]));
      // A member none of the endpoints answered for is asked at its own client URL, unless that URL is one of
      // the endpoints just probed (the local cluster's are): its failure is already known.
      const byTarget = new Map(endpoints.map((each) => [connection.findEndpoint(each.endpoint)?.target ?? each.endpoint, each]));
      const known = (member: MemberSummary): EndpointStatus | undefined => byTarget.get(connection.findEndpoint(member.clientUrls[0]!)?.target ?? '');
      const missing = members.filter((member) => !reachable.has(member.id) && member.clientUrls.length > 0);
      const unknown = missing.filter((member) => !known(member));
      const probed = await statusOf(connection, unknown.map((member) => member.clientUrls[0]!));
      const byMember = new Map<string, EndpointStatus>(reachable);
      missing.forEach((member) => byMember.set(member.id, known(member) ?? probed[unknown.indexOf(member)]!));
      const answered = endpoints.concat(probed);
      const leader = answered.find((each) => each.reachable && each.leaderId !== '0');
      return {
        clusterId: list.header?.cluster_id ?? '0',
        leaderId: leader?.reachable ? leader.leaderId : null,
        members: members.map((member) => ({ ...member, status: byMember.get(member.id) ?? null })),
        endpoints,
        // The status bar reads the revision here rather than with a read of its own (one call per refresh, not two).
        revision: highestRevision([Number(list.header?.revision ?? 0), ...answered.map((each) => (each.reachable ? each.revision : 0))]),
      };
    }),
    status: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      return statusOf(connection, connection.endpoints.map((endpoint) => endpoint.text));
    }),
    addMember: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await connection.call('write', (s) => s.cluster.memberAdd.bind(s.cluster), { peerURLs: args.peerUrls, isLearner: args.isLearner });
      return { member: response.member ? toMember(response.member) : null, members: response.members.map(toMember) };
    }),
    removeMember: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await connection.call('write', (s) => s.cluster.memberRemove.bind(s.cluster), { ID: args.id });
      return { member: null, members: response.members.map(toMember) };
    }),
    updateMember: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await connection.call('write', (s) => s.cluster.memberUpdate.bind(s.cluster), { ID: args.id, peerURLs: args.peerUrls });
      return { member: null, members: response.members.map(toMember) };
    }),
    promoteMember: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await connection.call('write', (s) => s.cluster.memberPromote.bind(s.cluster), { ID: args.id });
      return { member: null, members: response.members.map(toMember) };
    }),
    moveLeader: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      // etcd accepts MoveLeader only on the current leader: find it first.
      const statuses = await statusOf(connection, connection.endpoints.map((endpoint) => endpoint.text));
      const leader = statuses.find((each) => each.reachable && each.isLeader);
      await connection.call('write', (s) => s.maintenance.moveLeader.bind(s.maintenance), { targetID: args.id },
        leader ? { endpoint: leader.endpoint } : {});
      return null;
    }),
  };
}

/** Status of each endpoint (in order), each one its own call pinned to that endpoint. */
export function statusOf(connection: EtcdConnection, endpoints: readonly string[]): Promise<EndpointStatus[]> {
  return Promise.all(endpoints.map(async (endpoint): Promise<EndpointStatus> => {
    const started = Date.now();
    try {
      // No waiting for a stopped member to come back: the GUI shows it as unreachable at once.
      const status = await connection.call('read', (s) => s.maintenance.status.bind(s.maintenance), {},
        { endpoint, deadlineMs: statusDeadlineMs, waitForReconnect: false });
      const memberId = status.header?.member_id ?? '0';
      return {
        endpoint,
        reachable: true,
        memberId,
        leaderId: status.leader,
        isLeader: status.leader !== '0' && status.leader === memberId,
        isLearner: status.isLearner,
        raftTerm: Number(status.raftTerm),
        raftIndex: Number(status.raftIndex),
        raftAppliedIndex: Number(status.raftAppliedIndex),
        revision: Number(status.header?.revision ?? 0),
        dbSize: Number(status.dbSize),
        dbSizeInUse: Number(status.dbSizeInUse),
        version: status.version,
        errors: status.errors,
        latencyMs: Date.now() - started,
      };
    } catch (error) {
      return { endpoint, reachable: false, error: toCairnError(error, endpoint) };
    }
  }));
}

/** The highest of some header revisions, or null when none is known (a header without one says 0). */
function highestRevision(revisions: readonly number[]): number | null {
  const highest = Math.max(0, ...revisions.filter((each) => Number.isSafeInteger(each)));
  return highest > 0 ? highest : null;
}

function toMember(member: Member__Output): MemberSummary {
  return { id: member.ID, name: member.name, peerUrls: member.peerURLs, clientUrls: member.clientURLs, isLearner: member.isLearner };
}
