// The Lease service. Keep-alive is a bidirectional stream: every request renews one lease and gets one
// response; an unknown lease answers TTL 0 (etcd's behaviour) rather than ending the stream.
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Caller, ServerApi } from '../server/server-api.ts';
import { Errors, isEtcdError } from '../common/errors.ts';
import { toGrpcError } from './grpc-status.ts';
import { unary } from './unary.ts';
import type { LeaseGrantRequest__Output } from '../proto/generated/etcdserverpb/LeaseGrantRequest.ts';
import type { LeaseRevokeRequest__Output } from '../proto/generated/etcdserverpb/LeaseRevokeRequest.ts';
import type { LeaseTimeToLiveRequest__Output } from '../proto/generated/etcdserverpb/LeaseTimeToLiveRequest.ts';
import type { LeaseTimeToLiveResponse } from '../proto/generated/etcdserverpb/LeaseTimeToLiveResponse.ts';
import type { LeaseKeepAliveRequest__Output } from '../proto/generated/etcdserverpb/LeaseKeepAliveRequest.ts';
import type { LeaseKeepAliveResponse } from '../proto/generated/etcdserverpb/LeaseKeepAliveResponse.ts';

/** Unary request handlers for etcdserverpb.Lease, shared by gRPC and the JSON gateway. */
export function leaseHandlers(server: ServerApi) {
  return {
    LeaseGrant: (request: LeaseGrantRequest__Output) => server.leaseGrant(request),
    LeaseRevoke: (request: LeaseRevokeRequest__Output, caller?: Caller) => server.leaseRevoke(BigInt(request.ID), caller),
    LeaseTimeToLive: async (request: LeaseTimeToLiveRequest__Output): Promise<LeaseTimeToLiveResponse> => {
      try {
        return await server.leaseTimeToLive(BigInt(request.ID), request.keys);
      } catch (error) {
        if (!isEtcdError(error, Errors.LeaseNotFound)) throw error;
        return { header: {}, ID: request.ID, TTL: -1 };
      }
    },
    LeaseLeases: () => server.leaseLeases(),
  };
}

function keepAlive(server: ServerApi) {
  return (call: ServerDuplexStream<LeaseKeepAliveRequest__Output, LeaseKeepAliveResponse>): void => {
    let chain = Promise.resolve();
    call.on('data', (request: LeaseKeepAliveRequest__Output) => {
      // Answer in request order, one renewal at a time, as etcd's stream does.
      chain = chain.then(async () => {
        try {
          const ttl = await server.leaseRenew(BigInt(request.ID));
          if (!call.cancelled) call.write({ header: server.header(), ID: request.ID, TTL: ttl });
        } catch (error) {
          call.destroy(toGrpcError(error));
        }
      });
    });
    call.on('end', () => void chain.then(() => call.end()));
    call.on('error', () => undefined);
  };
}

/** The grpc-js implementation of etcdserverpb.Lease. */
export function leaseService(server: ServerApi): UntypedServiceImplementation {
  const handlers = leaseHandlers(server);
  return {
    LeaseGrant: unary(server, handlers.LeaseGrant),
    LeaseRevoke: unary(server, handlers.LeaseRevoke),
    LeaseKeepAlive: keepAlive(server),
    LeaseTimeToLive: unary(server, handlers.LeaseTimeToLive),
    LeaseLeases: unary(server, handlers.LeaseLeases),
  };
}
