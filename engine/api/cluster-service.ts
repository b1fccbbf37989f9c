// The Cluster service. Membership changes arrive with replication; until then a single member answers
// MemberList and refuses changes it cannot make safely with etcd's errors.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ServerApi } from '../server/server-api.ts';
import { Errors } from '../common/errors.ts';
import { unary } from './unary.ts';

/** Unary request handlers for etcdserverpb.Cluster, shared by gRPC and the JSON gateway. */
export function clusterHandlers(server: ServerApi) {
  const notCapable = async () => {
    throw Errors.NotCapable;
  };
  return {
    MemberList: async () => ({ header: {}, members: await server.memberList() }),
    MemberAdd: notCapable,
    MemberRemove: notCapable,
    MemberUpdate: notCapable,
    MemberPromote: notCapable,
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
