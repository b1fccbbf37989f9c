// A thin, typed, promise-based client over Cairn's etcd protos, for end-to-end tests and the bench. Every call
// carries a deadline, so a hung server fails a test instead of hanging it. Each client owns its own HTTP/2
// connection: grpc-js shares a connection between channels whose target and options are equal, so every client
// gets a unique `grpc.primary_user_agent`, while the services of one client (same options) share one connection.
// Strings in byte fields (`key`, `range_end`, `value`) are sent as UTF-8 text, not read as base64.
import * as grpc from '@grpc/grpc-js';
import { etcdGrpcObject } from '../../engine/proto/load.ts';
import type { ProtoGrpcType } from '../../engine/proto/generated/rpc.ts';
import type { KVClient } from '../../engine/proto/generated/etcdserverpb/KV.ts';
import type { LeaseClient } from '../../engine/proto/generated/etcdserverpb/Lease.ts';
import type { MaintenanceClient } from '../../engine/proto/generated/etcdserverpb/Maintenance.ts';
import type { RangeRequest } from '../../engine/proto/generated/etcdserverpb/RangeRequest.ts';
import type { RangeResponse__Output } from '../../engine/proto/generated/etcdserverpb/RangeResponse.ts';
import type { PutRequest } from '../../engine/proto/generated/etcdserverpb/PutRequest.ts';
import type { PutResponse__Output } from '../../engine/proto/generated/etcdserverpb/PutResponse.ts';
import type { DeleteRangeRequest } from '../../engine/proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { DeleteRangeResponse__Output } from '../../engine/proto/generated/etcdserverpb/DeleteRangeResponse.ts';
import type { TxnRequest } from '../../engine/proto/generated/etcdserverpb/TxnRequest.ts';
import type { TxnResponse__Output } from '../../engine/proto/generated/etcdserverpb/TxnResponse.ts';
import type { CompactionRequest } from '../../engine/proto/generated/etcdserverpb/CompactionRequest.ts';
import type { CompactionResponse__Output } from '../../engine/proto/generated/etcdserverpb/CompactionResponse.ts';
import type { LeaseGrantRequest } from '../../engine/proto/generated/etcdserverpb/LeaseGrantRequest.ts';
import type { LeaseGrantResponse__Output } from '../../engine/proto/generated/etcdserverpb/LeaseGrantResponse.ts';
import type { LeaseRevokeRequest } from '../../engine/proto/generated/etcdserverpb/LeaseRevokeRequest.ts';
import type { LeaseRevokeResponse__Output } from '../../engine/proto/generated/etcdserverpb/LeaseRevokeResponse.ts';
import type { LeaseTimeToLiveRequest } from '../../engine/proto/generated/etcdserverpb/LeaseTimeToLiveRequest.ts';
import type { LeaseTimeToLiveResponse__Output } from '../../engine/proto/generated/etcdserverpb/LeaseTimeToLiveResponse.ts';
import type { LeaseLeasesResponse__Output } from '../../engine/proto/generated/etcdserverpb/LeaseLeasesResponse.ts';
import type { LeaseKeepAliveResponse__Output } from '../../engine/proto/generated/etcdserverpb/LeaseKeepAliveResponse.ts';
import type { StatusResponse__Output } from '../../engine/proto/generated/etcdserverpb/StatusResponse.ts';
import type { HashKVResponse__Output } from '../../engine/proto/generated/etcdserverpb/HashKVResponse.ts';
import type { AlarmRequest } from '../../engine/proto/generated/etcdserverpb/AlarmRequest.ts';
import type { AlarmResponse__Output } from '../../engine/proto/generated/etcdserverpb/AlarmResponse.ts';
import type { DefragmentResponse__Output } from '../../engine/proto/generated/etcdserverpb/DefragmentResponse.ts';
import type { MemberListResponse__Output } from '../../engine/proto/generated/etcdserverpb/MemberListResponse.ts';
import { WatchStream } from './watch-stream.ts';
import { withUtf8Bytes } from './request-bytes.ts';

export { WatchStream } from './watch-stream.ts';

/** Per-call options: the deadline of this one call, in milliseconds from now. */
export interface CallOptions {
  deadlineMs?: number;
}

/** Options for one client (one HTTP/2 connection). */
export interface ClientOptions {
  /** Default deadline of every unary call, in milliseconds. */
  deadlineMs?: number;
  /** Extra grpc-js channel options, merged over ours. */
  channelOptions?: grpc.ChannelOptions;
}

/** The KV service with promises. */
export interface KvApi {
  range(request: RangeRequest, options?: CallOptions): Promise<RangeResponse__Output>;
  put(request: PutRequest, options?: CallOptions): Promise<PutResponse__Output>;
  deleteRange(request: DeleteRangeRequest, options?: CallOptions): Promise<DeleteRangeResponse__Output>;
  txn(request: TxnRequest, options?: CallOptions): Promise<TxnResponse__Output>;
  compact(request: CompactionRequest, options?: CallOptions): Promise<CompactionResponse__Output>;
}

/** The Lease service with promises; `keepAliveOnce` opens a stream, renews once and closes it. */
export interface LeaseApi {
  grant(request: LeaseGrantRequest, options?: CallOptions): Promise<LeaseGrantResponse__Output>;
  revoke(request: LeaseRevokeRequest, options?: CallOptions): Promise<LeaseRevokeResponse__Output>;
  timeToLive(request: LeaseTimeToLiveRequest, options?: CallOptions): Promise<LeaseTimeToLiveResponse__Output>;
  leases(options?: CallOptions): Promise<LeaseLeasesResponse__Output>;
  keepAliveOnce(id: string, options?: CallOptions): Promise<LeaseKeepAliveResponse__Output>;
}

/** The Maintenance service with promises (the calls tests need). */
export interface MaintenanceApi {
  status(options?: CallOptions): Promise<StatusResponse__Output>;
  hashKv(revision: string | number, options?: CallOptions): Promise<HashKVResponse__Output>;
  alarm(request: AlarmRequest, options?: CallOptions): Promise<AlarmResponse__Output>;
  defragment(options?: CallOptions): Promise<DefragmentResponse__Output>;
}

/** The Cluster service with promises (the calls tests need). */
export interface ClusterApi {
  memberList(options?: CallOptions & { linearizable?: boolean }): Promise<MemberListResponse__Output>;
}

/** One connection to one member, with every service the tests use. */
export interface EtcdClient {
  /** `host:port` this client talks to. */
  readonly endpoint: string;
  readonly kv: KvApi;
  readonly lease: LeaseApi;
  readonly maintenance: MaintenanceApi;
  readonly cluster: ClusterApi;
  /** Opens a new Watch stream (one gRPC bidi call) on this client's connection. */
  watch(): WatchStream;
  /** Closes every channel of this client. */
  close(): void;
}

/** The default deadline of a unary call: long enough for a loaded CI machine, short enough to fail fast. */
export const callDeadlineMsDefault = 10_000;

let connectionCount = 0;

type Callback<Response> = (error: grpc.ServiceError | null, response?: Response) => void;
type Invoke<Response> = (metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<Response>) => unknown;

function unary<Response>(invoke: Invoke<Response>, deadlineMs: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    invoke(new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error) reject(error);
      else if (response === undefined) reject(new Error('gRPC call returned neither a response nor an error'));
      else resolve(response);
    });
  });
}

/** Strips a scheme from a URL-ish endpoint: grpc-js wants `host:port`. */
export function endpointOf(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}

function services(): ProtoGrpcType['etcdserverpb'] {
  return (etcdGrpcObject() as unknown as ProtoGrpcType).etcdserverpb;
}

/** Opens a client to one member (`host:port` or `http://host:port`) on a connection of its own. */
export function connect(endpoint: string, options: ClientOptions = {}): EtcdClient {
  const target = endpointOf(endpoint);
  connectionCount += 1;
  const channelOptions: grpc.ChannelOptions = {
    'grpc.primary_user_agent': `cairn-tests/connection-${process.pid}-${connectionCount}`,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    ...options.channelOptions,
  };
  const credentials = grpc.credentials.createInsecure();
  const api = services();
  const kvClient = new api.KV(target, credentials, channelOptions);
  const leaseClient = new api.Lease(target, credentials, channelOptions);
  const maintenanceClient = new api.Maintenance(target, credentials, channelOptions);
  const clusterClient = new api.Cluster(target, credentials, channelOptions);
  const watchClient = new api.Watch(target, credentials, channelOptions);
  const deadlineMsDefault = options.deadlineMs ?? callDeadlineMsDefault;
  const deadline = (call?: CallOptions): number => call?.deadlineMs ?? deadlineMsDefault;
  return {
    endpoint: target,
    kv: kvApi(kvClient, deadline),
    lease: leaseApi(leaseClient, deadline),
    maintenance: maintenanceApi(maintenanceClient, deadline),
    cluster: {
      memberList: (call) => unary((m, o, c) => clusterClient.memberList({ linearizable: call?.linearizable ?? false }, m, o, c), deadline(call)),
    },
    watch: () => new WatchStream(watchClient.watch()),
    close: () => {
      for (const client of [kvClient, leaseClient, maintenanceClient, clusterClient, watchClient]) client.close();
    },
  };
}

type Deadline = (call?: CallOptions) => number;

function kvApi(client: KVClient, deadline: Deadline): KvApi {
  return {
    range: (request, call) => unary((m, o, c) => client.range(withUtf8Bytes(request), m, o, c), deadline(call)),
    put: (request, call) => unary((m, o, c) => client.put(withUtf8Bytes(request), m, o, c), deadline(call)),
    deleteRange: (request, call) => unary((m, o, c) => client.deleteRange(withUtf8Bytes(request), m, o, c), deadline(call)),
    txn: (request, call) => unary((m, o, c) => client.txn(withUtf8Bytes(request), m, o, c), deadline(call)),
    compact: (request, call) => unary((m, o, c) => client.compact(request, m, o, c), deadline(call)),
  };
}

function leaseApi(client: LeaseClient, deadline: Deadline): LeaseApi {
  return {
    grant: (request, call) => unary((m, o, c) => client.leaseGrant(request, m, o, c), deadline(call)),
    revoke: (request, call) => unary((m, o, c) => client.leaseRevoke(request, m, o, c), deadline(call)),
    timeToLive: (request, call) => unary((m, o, c) => client.leaseTimeToLive(request, m, o, c), deadline(call)),
    leases: (call) => unary((m, o, c) => client.leaseLeases({}, m, o, c), deadline(call)),
    keepAliveOnce: (id, call) => keepAliveOnce(client, id, deadline(call)),
  };
}

function keepAliveOnce(client: LeaseClient, id: string, deadlineMs: number): Promise<LeaseKeepAliveResponse__Output> {
  return new Promise((resolve, reject) => {
    const stream = client.leaseKeepAlive({ deadline: Date.now() + deadlineMs });
    stream.once('data', (response: LeaseKeepAliveResponse__Output) => {
      resolve(response);
      stream.cancel();
    });
    stream.once('error', (error) => reject(error));
    stream.write({ ID: id });
  });
}

function maintenanceApi(client: MaintenanceClient, deadline: Deadline): MaintenanceApi {
  return {
    status: (call) => unary((m, o, c) => client.status({}, m, o, c), deadline(call)),
    hashKv: (revision, call) => unary((m, o, c) => client.hashKv({ revision }, m, o, c), deadline(call)),
    alarm: (request, call) => unary((m, o, c) => client.alarm(request, m, o, c), deadline(call)),
    defragment: (call) => unary((m, o, c) => client.defragment({}, m, o, c), deadline(call)),
  };
}

/** Opens `count` clients, each on its own connection, spread round-robin over `endpoints`. */
export function connectMany(endpoints: readonly string[], count: number, options: ClientOptions = {}): EtcdClient[] {
  if (endpoints.length === 0) throw new Error('connectMany needs at least one endpoint');
  return Array.from({ length: count }, (_, index) => connect(endpoints[index % endpoints.length], options));
}

/** True when `error` is a gRPC status error (it carries `code` and `details`). */
export function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number' &&
    typeof (error as Partial<grpc.ServiceError>).details === 'string';
}
