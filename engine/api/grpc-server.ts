// The gRPC server of a member: etcd's services registered on one grpc-js Server, which receives connections
// from the client listener (no port of its own). Message size limits follow etcd: the request limit plus a
// margin for framing.
import { Server, ServerCredentials, type ConnectionInjector, type ServiceDefinition } from '@grpc/grpc-js';
import { grpcOverheadBytes } from '../common/limits.ts';
import { etcdGrpcObject } from '../proto/load.ts';
import type { ServerApi } from '../server/server-api.ts';
import { kvService } from './kv-service.ts';
import { leaseService } from './lease-service.ts';
import { maintenanceService } from './maintenance-service.ts';
import { clusterService } from './cluster-service.ts';
import { watchService } from './watch-service.ts';
import { authService } from './auth-service.ts';

/** Options of the gRPC server. */
export interface GrpcServerOptions {
  requestBytesMax: number;
  concurrentStreamsMax: number;
}

function serviceDefinition(name: string): ServiceDefinition {
  const namespace = etcdGrpcObject()['etcdserverpb'] as Record<string, { service: ServiceDefinition }>;
  const found = namespace[name];
  if (!found) throw new Error(`unknown service etcdserverpb.${name}`);
  return found.service;
}

/** A grpc-js server with every etcd service, and an injector to hand it connections. */
export function createGrpcServer(server: ServerApi, options: GrpcServerOptions): { grpc: Server; injector: ConnectionInjector } {
  const grpc = new Server({
    'grpc.max_receive_message_length': options.requestBytesMax + grpcOverheadBytes,
    'grpc.max_send_message_length': 2 ** 31 - 1,
    'grpc.max_concurrent_streams': Math.min(options.concurrentStreamsMax, 2 ** 31 - 1),
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5000,
    // Channelz (grpc's introspection service) is not served, and its per-call bookkeeping was about 4% of the
    // member's allocations under a put load.
    'grpc.enable_channelz': 0,
  });
  grpc.addService(serviceDefinition('KV'), kvService(server));
  grpc.addService(serviceDefinition('Watch'), watchService(server));
  grpc.addService(serviceDefinition('Lease'), leaseService(server));
  grpc.addService(serviceDefinition('Maintenance'), maintenanceService(server));
  grpc.addService(serviceDefinition('Cluster'), clusterService(server));
  grpc.addService(serviceDefinition('Auth'), authService(server));
  const injector = grpc.createConnectionInjector(ServerCredentials.createInsecure());
  return { grpc, injector };
}
