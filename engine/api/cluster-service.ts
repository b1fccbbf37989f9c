// The Cluster service: membership as applied from the log, and changes proposed through Raft (checks and
// errors in engine/server/cluster-ops.ts). Every response carries the member list after the change, as etcd's.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Caller, ServerApi } from '../server/server-api.ts';
import type { MemberListRequest__Output } from '../proto/generated/etcdserverpb/MemberListRequest.ts';
import type { MemberAddRequest__Output } from '../proto/generated/etcdserverpb/MemberAddRequest.ts';
import type { MemberRemoveRequest__Output } from '../proto/generated/etcdserverpb/MemberRemoveRequest.ts';
import type { MemberUpdateRequest__Output } from '../proto/generated/etcdserverpb/MemberUpdateRequest.ts';
import type { MemberPromoteRequest__Output } from '../proto/generated/etcdserverpb/MemberPromoteRequest.ts';
import { unary } from './unary.ts';

/** Unary request handlers for etcdserverpb.Cluster, shared by gRPC and the JSON gateway. */
export function clusterHandlers(server: ServerApi) {
  const withMembers = async (linearizable = false) => ({ header: {}, members: await server.memberList(linearizable) });
  return {
    MemberList: (request: MemberListRequest__Output) => withMembers(request.linearizable),
    // Membership changes need the root role (etcd's checkMembershipOperationPermission); listing does not.
    MemberAdd: async (request: MemberAddRequest__Output, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      const member = await server.memberAdd(request.peerURLs, request.isLearner);
      return { ...(await withMembers()), member };
    },
    MemberRemove: async (request: MemberRemoveRequest__Output, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      await server.memberRemove(BigInt(request.ID));
      return withMembers();
    },
    MemberUpdate: async (request: MemberUpdateRequest__Output, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      await server.memberUpdate(BigInt(request.ID), request.peerURLs);
      return withMembers();
    },
    MemberPromote: async (request: MemberPromoteRequest__Output, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      await server.memberPromote(BigInt(request.ID));
      return withMembers();
    },
  };
}

/** The grpc-js implementation of etcdserverpb.Cluster. */
export function clusterService(server: ServerApi): UntypedServiceImplementation {
  const handlers = clusterHandlers(server);
  return {
    MemberList: unary(server, handlers.MemberList, 'withoutRevision'),
    MemberAdd: unary(server, handlers.MemberAdd, 'withoutRevision'),
    MemberRemove: unary(server, handlers.MemberRemove, 'withoutRevision'),
    MemberUpdate: unary(server, handlers.MemberUpdate, 'withoutRevision'),
    MemberPromote: unary(server, handlers.MemberPromote, 'withoutRevision'),
  };
}
