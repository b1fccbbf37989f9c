// The gRPC server of a member: etcd's services registered on one grpc-js Server, which receives connections
// from the client listener (no port of its own), and the same services on the engine's own HTTP/2 server
// (grpc-h2-server.ts). Message size limits follow etcd: the request limit plus a margin for framing.
import { Server, ServerCredentials, type ConnectionInjector, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { grpcOverheadBytes } from '../common/limits.ts';
import { etcdGrpcObject } from '../proto/load.ts';
import type { ServerApi } from '../server/server-api.ts';
import { kvService } from './kv-service.ts';
import { leaseService } from './lease-service.ts';
import { maintenanceService } from './maintenance-service.ts';
import { clusterService } from './cluster-service.ts';
import { watchService } from './watch-service.ts';
import { authService } from './auth-service.ts';
import { installUnaryFastPath, unaryRoutes, type UnaryRoute } from './unary-fast-path.ts';
import { GrpcH2Server, grpcMethods, type GrpcCallCounter, type GrpcMethod } from './grpc-h2-server.ts';
import type { ServerMetrics } from '../server/metrics.ts';
import { readPutRequest, writePutResponseFrame } from './put-codec.ts';
import type { PutResponse } from '../proto/generated/etcdserverpb/PutResponse.ts';

const putPath = '/etcdserverpb.KV/Put';

/** Options of the gRPC server. */
export interface GrpcServerOptions {
  requestBytesMax: number;
  concurrentStreamsMax: number;
  /** Serve unary calls on the fast path (unary-fast-path.ts); default true. False: grpc-js serves every call. */
  unaryFastPath?: boolean;
  /** A connection of the own HTTP/2 server failed. */
  onConnectionError?(error: Error): void;
  /** Where calls and message bytes are counted (grpc_server_*_total, etcd_network_client_grpc_*_bytes_total). */
  metrics?: CallMetrics;
}

/** grpc-go's names of the status codes, as go-grpc-prometheus labels them. */
const codeNames = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

type CallMetrics = Pick<ServerMetrics, 'grpcStarted' | 'grpcHandled' | 'clientReceivedBytes' | 'clientSentBytes' | 'onCollect'>;

/**
 * Counts calls into `metrics`, with each method's label set bound once. Message bytes are summed in plain numbers
 * and handed to their counters when /metrics is scraped: two counter updates per call would cost more than the sums.
 */
function callCounter(metrics: CallMetrics): GrpcCallCounter {
  let receivedBytes = 0;
  let sentBytes = 0;
  metrics.onCollect(() => {
    metrics.clientReceivedBytes.inc(receivedBytes);
    metrics.clientSentBytes.inc(sentBytes);
    receivedBytes = 0;
    sentBytes = 0;
  });
  const bound = new Map<string, { started: { inc(): void }; handled: Map<number, { inc(): void }>; labels: Record<string, string> }>();
  const of = (method: GrpcMethod) => {
    let entry = bound.get(method.path);
    if (!entry) {
      const [, service = '', name = ''] = /^\/([^/]+)\/([^/]+)$/.exec(method.path) ?? [];
      const type = method.requestStream ? (method.responseStream ? 'bidi_stream' : 'client_stream') : method.responseStream ? 'server_stream' : 'unary';
      const labels = { grpc_type: type, grpc_service: service, grpc_method: name };
      entry = { started: metrics.grpcStarted.labels(labels), handled: new Map(), labels };
      bound.set(method.path, entry);
    }
    return entry;
  };
  return {
    started: (method) => of(method).started.inc(),
    handled: (method, code) => {
      const entry = of(method);
      let child = entry.handled.get(code);
      if (!child) {
        child = metrics.grpcHandled.labels({ ...entry.labels, grpc_code: codeNames[code] ?? String(code) });
        entry.handled.set(code, child);
      }
      child.inc();
    },
    received: (bytes) => {
      receivedBytes += bytes;
    },
    sent: (bytes) => {
      sentBytes += bytes;
    },
  };
}

function serviceDefinition(name: string): ServiceDefinition {
  const namespace = etcdGrpcObject()['etcdserverpb'] as Record<string, { service: ServiceDefinition }>;
  const found = namespace[name];
  if (!found) throw new Error(`unknown service etcdserverpb.${name}`);
  return found.service;
}

/** A grpc-js server with every etcd service, and an injector to hand it connections. */
export function createGrpcServer(server: ServerApi, options: GrpcServerOptions): { grpc: Server; injector: ConnectionInjector; fastPath: boolean; own: GrpcH2Server } {
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
  const services: Array<[string, UntypedServiceImplementation]> = [
    ['KV', kvService(server)],
    ['Watch', watchService(server)],
    ['Lease', leaseService(server)],
    ['Maintenance', maintenanceService(server)],
    ['Cluster', clusterService(server)],
    ['Auth', authService(server)],
  ];
  const routes: UnaryRoute[] = [];
  for (const [name, implementation] of services) {
    grpc.addService(serviceDefinition(name), implementation);
    routes.push(...unaryRoutes(serviceDefinition(name), implementation));
  }
  const methods = grpcMethods(services.map(([name, implementation]) => [serviceDefinition(name), implementation] as const));
  for (const route of [routes.find((candidate) => candidate.path === putPath), methods.get(putPath)]) {
    if (!route) continue;
    route.read = readPutRequest;
    route.writeFrame = (response) => writePutResponseFrame(response as PutResponse);
  }
  const own = new GrpcH2Server(methods, {
    receiveBytesMax: options.requestBytesMax + grpcOverheadBytes,
    concurrentStreamsMax: Math.min(options.concurrentStreamsMax, 2 ** 32 - 1),
    onConnectionError: options.onConnectionError,
    counter: options.metrics ? callCounter(options.metrics) : undefined,
  });
  const injector = grpc.createConnectionInjector(ServerCredentials.createInsecure());
  const fastPath = options.unaryFastPath !== false && installUnaryFastPath(grpc, routes, options.requestBytesMax + grpcOverheadBytes);
  return { grpc, injector, fastPath, own };
}
