// Cairn's one etcd client, for the local cluster and remote ones alike: a thin layer over @grpc/grpc-js and the
// engine's own .proto files (engine/proto), not the `etcd3` npm package, because (1) the GUI needs all of
// Maintenance and Cluster (snapshot stream, defragment per endpoint, hash, alarms, move leader, member
// add/promote), which etcd3 covers only in part; (2) the wire types are exactly those the engine serves, generated
// from the same protos, so there is one proto source for server, tests and app; (3) failover, token refresh and
// error wording are ours to shape for a GUI.
//
// One channel per endpoint (its own subchannel pool, so connections never share sockets); calls go to the current
// endpoint and move on to the next when an endpoint fails: reads always, writes only when the request never left
// (a write that may have been applied is not repeated behind the user's back). With a user name, a token from
// Auth.Authenticate travels in the `token` metadata; etcd's simple tokens are valid only on the member that issued
// them, so tokens are kept per endpoint, and renewed once when the server says `invalid auth token`.
import * as grpc from '@grpc/grpc-js';
import { etcdGrpcObject } from '../../../engine/proto/load.ts';
import type { ProtoGrpcType } from '../../../engine/proto/generated/rpc.ts';
import type { AuthClient } from '../../../engine/proto/generated/etcdserverpb/Auth.ts';
import type { ClusterClient } from '../../../engine/proto/generated/etcdserverpb/Cluster.ts';
import type { KVClient } from '../../../engine/proto/generated/etcdserverpb/KV.ts';
import type { LeaseClient } from '../../../engine/proto/generated/etcdserverpb/Lease.ts';
import type { MaintenanceClient } from '../../../engine/proto/generated/etcdserverpb/Maintenance.ts';
import type { WatchClient } from '../../../engine/proto/generated/etcdserverpb/Watch.ts';
import type { AuthenticateResponse__Output } from '../../../engine/proto/generated/etcdserverpb/AuthenticateResponse.ts';
import { parseEndpoints, type Endpoint } from './endpoint.ts';
import { endpointFailed, isServiceError, neverSent, tokenExpired } from './etcd-error.ts';
import { KeyScope } from './key-range.ts';

/** TLS material of a connection (PEM text). */
export interface TlsSettings {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  serverName?: string;
  insecureSkipVerify?: boolean;
}

/** Everything needed to reach a cluster. */
export interface ConnectionSettings {
  endpoints: readonly string[];
  tls?: TlsSettings | null;
  username?: string;
  password?: string;
  /** Key-prefix scope (UTF-8). */
  keyPrefix?: string;
}

/** The etcd services on one endpoint. */
export interface Services {
  kv: KVClient;
  watch: WatchClient;
  lease: LeaseClient;
  cluster: ClusterClient;
  maintenance: MaintenanceClient;
  auth: AuthClient;
}

/** Whether a call may be repeated on another endpoint after an endpoint failure. */
export type CallMode = 'read' | 'write';

/** Starts one unary call; grpc-js calls `callback` once. */
export type Invoke<Response> = (services: Services, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Response) => void) => unknown;

/** A bound unary method of a generated client, typed by its last overload (argument and callback). */
export type UnaryMethod<Request, Response> = (argument: Request, callback: grpc.requestCallback<Response>) => grpc.ClientUnaryCall;

/** Per-call options. */
export interface UnaryOptions {
  /** Call this endpoint only (as the user wrote it, or its `host:port`), with no failover. */
  endpoint?: string;
  deadlineMs?: number;
  /** When every endpoint refused, wait briefly for one to come back (default true; "test connection" does not). */
  waitForReconnect?: boolean;
}

/** The outcome of the connection's latest calls, for the status shown in the GUI. */
export interface ConnectionHealth {
  state: 'ready' | 'reconnecting' | 'failed';
  endpoint: string;
  error: unknown;
}

/** Default deadline of a unary call, in milliseconds. */
export const callDeadlineMsDefault = 10_000;

/** How long a call waits for an endpoint to come back once every endpoint refused, in milliseconds. */
const reconnectWaitMs = 3_000;

/** Largest message the client accepts, in bytes (range responses of big values, snapshot chunks). */
const receiveBytesMax = 256 * 1024 * 1024;

/** Largest message the client sends, in bytes (a 64 MiB value plus framing). */
const sendBytesMax = 80 * 1024 * 1024;

/** One endpoint's channel, services and auth token. */
export class EndpointChannel {
  /** The token for this endpoint, once authenticated. */
  token: string | undefined;
  readonly services: Services;
  private readonly channel: grpc.Channel;

  /** Opens (lazily: grpc-js connects on the first call) a channel to `endpoint`. */
  constructor(readonly endpoint: Endpoint, tls: TlsSettings | null | undefined) {
    const credentials = endpoint.secure ? sslCredentials(tls ?? {}) : grpc.credentials.createInsecure();
    const options: grpc.ChannelOptions = {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': receiveBytesMax,
      'grpc.max_send_message_length': sendBytesMax,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5_000,
      'grpc.primary_user_agent': 'cairn-desktop',
    };
    if (endpoint.secure && tls?.serverName) {
      options['grpc.ssl_target_name_override'] = tls.serverName;
      options['grpc.default_authority'] = tls.serverName;
    }
    this.channel = new grpc.Channel(endpoint.target, credentials, options);
    const api = (etcdGrpcObject() as unknown as ProtoGrpcType).etcdserverpb;
    const share = { channelOverride: this.channel };
    this.services = {
      kv: new api.KV(endpoint.target, credentials, share),
      watch: new api.Watch(endpoint.target, credentials, share),
      lease: new api.Lease(endpoint.target, credentials, share),
      cluster: new api.Cluster(endpoint.target, credentials, share),
      maintenance: new api.Maintenance(endpoint.target, credentials, share),
      auth: new api.Auth(endpoint.target, credentials, share),
    };
  }

  /** Closes the channel; calls in flight fail with CANCELLED. */
  close(): void {
    this.channel.close();
  }
}

function sslCredentials(tls: TlsSettings): grpc.ChannelCredentials {
  const pem = (text: string | undefined): Buffer | null => (text ? Buffer.from(text, 'utf8') : null);
  const verify: grpc.VerifyOptions = tls.insecureSkipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {};
  return grpc.credentials.createSsl(pem(tls.caPem), pem(tls.keyPem), pem(tls.certPem), verify);
}

/** A connection to one cluster over one or more endpoints. */
export class EtcdConnection {
  readonly endpoints: Endpoint[];
  readonly scope: KeyScope;
  private readonly channels = new Map<string, EndpointChannel>();
  private currentIndex = 0;
  private closed = false;

  /** A connection for `settings`; throws on an endpoint that cannot be parsed. */
  constructor(readonly settings: ConnectionSettings, private readonly onHealth?: (health: ConnectionHealth) => void) {
    const parsed = parseEndpoints(settings.endpoints, Boolean(settings.tls));
    if (typeof parsed === 'string') throw new Error(parsed);
    this.endpoints = parsed;
    this.scope = new KeyScope(new TextEncoder().encode(settings.keyPrefix ?? ''));
  }

  /** The endpoint calls go to now. */
  get currentEndpoint(): Endpoint {
    return this.endpoints[this.currentIndex]!;
  }

  /** The channel of an endpoint (the current one by default). */
  channel(endpoint: Endpoint = this.currentEndpoint): EndpointChannel {
    if (this.closed) throw new Error('the connection is closed');
    let channel = this.channels.get(endpoint.target);
    if (!channel) {
      channel = new EndpointChannel(endpoint, this.settings.tls);
      this.channels.set(endpoint.target, channel);
    }
    return channel;
  }

  /** Finds one of this connection's endpoints by its text or `host:port`. */
  findEndpoint(text: string): Endpoint | undefined {
    return this.endpoints.find((endpoint) => endpoint.text === text || endpoint.target === text) ??
      this.endpoints.find((endpoint) => text.endsWith(`//${endpoint.target}`) || text.endsWith(`//${endpoint.target}/`));
  }

  /** Runs a unary call with failover and auth; rejects with the last gRPC error. */
  async unary<Response>(mode: CallMode, invoke: Invoke<Response>, options: UnaryOptions = {}): Promise<Response> {
    const pinned = options.endpoint === undefined ? undefined : this.findEndpoint(options.endpoint) ?? this.adHocEndpoint(options.endpoint);
    const attempts = pinned ? 1 : this.endpoints.length;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const endpoint = pinned ?? this.currentEndpoint;
      const channel = this.channel(endpoint);
      try {
        const response = await this.callWithToken(channel, invoke, options.deadlineMs ?? callDeadlineMsDefault);
        this.onHealth?.({ state: 'ready', endpoint: endpoint.text, error: null });
        return response;
      } catch (error) {
        lastError = error;
        if (!isServiceError(error) || !endpointFailed(error)) throw error;
        const retry = !pinned && attempt + 1 < attempts && (mode === 'read' || neverSent(error));
        this.onHealth?.({ state: retry ? 'reconnecting' : 'failed', endpoint: endpoint.text, error });
        if (!pinned) this.rotate(endpoint);
        if (!retry) break;
      }
    }
    // Every endpoint refused at once: a member that is restarting (or a channel still in its reconnect back-off)
    // comes back within moments, so give the current endpoint one call that waits for it to be reachable.
    if (options.waitForReconnect !== false && isServiceError(lastError) && endpointFailed(lastError) && (mode === 'read' || neverSent(lastError))) {
      const endpoint = pinned ?? this.currentEndpoint;
      const deadlineMs = Math.min(options.deadlineMs ?? callDeadlineMsDefault, reconnectWaitMs);
      try {
        const response = await this.callWithToken(this.channel(endpoint), invoke, deadlineMs, true);
        this.onHealth?.({ state: 'ready', endpoint: endpoint.text, error: null });
        return response;
      } catch (error) {
        // Still unreachable: the first failure says why (refused, TLS, ...) better than the wait's deadline.
        if (!isServiceError(error) || error.code !== grpc.status.DEADLINE_EXCEEDED) throw error;
      }
    }
    throw lastError;
  }

  /**
   * `unary` for a method picked from the services, e.g. `call('read', (s) => s.cluster.memberList.bind(s.cluster),
   * {})`: the request and response types are inferred from the generated client.
   */
  call<Request, Response>(mode: CallMode, pick: (services: Services) => UnaryMethod<Request, Response>, request: Request, options: UnaryOptions = {}): Promise<Response> {
    type FullMethod = (argument: Request, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Response>) => unknown;
    return this.unary<Response>(mode, (services, metadata, callOptions, callback) =>
      (pick(services) as unknown as FullMethod)(request, metadata, callOptions, (error, response) => callback(error, response)), options);
  }

  /** Metadata for a streaming call on `channel` (authenticating first when needed). */
  async streamMetadata(channel: EndpointChannel, deadlineMs = callDeadlineMsDefault): Promise<grpc.Metadata> {
    const metadata = new grpc.Metadata();
    const token = await this.tokenFor(channel, deadlineMs);
    if (token) metadata.set('token', token);
    return metadata;
  }

  /** Moves calls away from `endpoint` (a stream on it failed). */
  rotate(endpoint: Endpoint): void {
    if (this.currentEndpoint.target === endpoint.target) this.currentIndex = (this.currentIndex + 1) % this.endpoints.length;
  }

  /** Forgets the token of a channel (the server said it is invalid). */
  dropToken(channel: EndpointChannel): void {
    channel.token = undefined;
  }

  /** Closes every channel. */
  close(): void {
    this.closed = true;
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }

  private async callWithToken<Response>(channel: EndpointChannel, invoke: Invoke<Response>, deadlineMs: number, waitForReady = false): Promise<Response> {
    for (let renewed = false; ; renewed = true) {
      const metadata = await this.streamMetadata(channel, deadlineMs);
      try {
        return await callOnce(channel.services, invoke, metadata, deadlineMs, waitForReady);
      } catch (error) {
        if (renewed || !isServiceError(error) || !tokenExpired(error) || !this.settings.username) throw error;
        this.dropToken(channel);
      }
    }
  }

  private async tokenFor(channel: EndpointChannel, deadlineMs: number): Promise<string | undefined> {
    if (!this.settings.username) return undefined;
    if (channel.token) return channel.token;
    const name = this.settings.username;
    const password = this.settings.password ?? '';
    try {
      const response = await callOnce<AuthenticateResponse__Output>(channel.services, (services, metadata, options, callback) =>
        services.auth.authenticate({ name, password }, metadata, options, callback), new grpc.Metadata(), deadlineMs);
      channel.token = response.token;
      return channel.token;
    } catch (error) {
      // A user name on a cluster without auth is harmless: etcd accepts requests without a token then.
      if (isServiceError(error) && /authentication is not enabled/.test(error.details)) return undefined;
      throw error;
    }
  }

  private adHocEndpoint(text: string): Endpoint {
    const parsed = parseEndpoints([text], Boolean(this.settings.tls));
    if (typeof parsed === 'string') throw new Error(parsed);
    return parsed[0]!;
  }
}

/** One unary call with a deadline. */
export function callOnce<Response>(services: Services, invoke: Invoke<Response>, metadata: grpc.Metadata, deadlineMs: number, waitForReady = false): Promise<Response> {
  return new Promise((resolve, reject) => {
    // grpc-js takes wait-for-ready from the metadata's options: the call then waits for the channel to connect
    // (until the deadline) instead of failing at once while the channel is reconnecting.
    if (waitForReady) metadata.setOptions({ ...metadata.getOptions(), waitForReady: true });
    invoke(services, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error) reject(error);
      else if (response === undefined) reject(new Error('the server answered with neither a response nor an error'));
      else resolve(response);
    });
  });
}
