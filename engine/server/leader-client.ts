// Requests only the leader can answer, sent there from a follower: lease keep-alives and time-to-live (the
// leader owns lease expiry, so its clock is the one that counts) and learner promotion (only the leader knows
// how far a learner has come). etcd forwards these over its peer port; Cairn calls the leader's own gRPC API
// on its advertised client URL, which carries the same requests with the same errors.
import * as grpc from '@grpc/grpc-js';
import { Errors, EtcdError } from '../common/errors.ts';
import { leaderForwardTimeoutMs } from '../common/limits.ts';
import { etcdGrpcObject } from '../proto/load.ts';
import type { ProtoGrpcType } from '../proto/generated/rpc.ts';
import type { LeaseClient } from '../proto/generated/etcdserverpb/Lease.ts';
import type { ClusterClient } from '../proto/generated/etcdserverpb/Cluster.ts';
import type { LeaseTimeToLiveResponse } from '../proto/generated/etcdserverpb/LeaseTimeToLiveResponse.ts';

interface Connection {
  target: string;
  lease: LeaseClient;
  cluster: ClusterClient;
}

/** The etcd error a forwarded call failed with (matched by message), or "leader changed" for a broken call. */
function asEtcdError(error: grpc.ServiceError): EtcdError {
  const known = Object.values(Errors).find((candidate) => candidate.message === error.details);
  return known ?? Errors.LeaderChanged;
}

/** A gRPC target (host:port) from a client URL. */
function targetOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port === '' ? '2379' : parsed.port}`;
}

/**
 * How a member calls a leader whose client URL is https: the CAs it trusts (--trusted-ca-file) and the
 * certificate it presents when the leader requires one (--client-cert-file/--client-key-file, else
 * --cert-file/--key-file), as PEM.
 */
export interface LeaderClientTls {
  ca?: Buffer;
  cert: Buffer;
  key: Buffer;
  /** Self-signed (--auto-tls) leaders cannot be verified; etcd skips verification for them too. */
  skipVerification: boolean;
}

function credentialsFor(url: string, tls: LeaderClientTls | undefined): grpc.ChannelCredentials {
  if (!url.startsWith('https:')) return grpc.credentials.createInsecure();
  if (tls === undefined) return grpc.credentials.createSsl();
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key, tls.cert, tls.skipVerification ? { rejectUnauthorized: false } : {});
}

/** Calls the current leader's client API. */
export class LeaderClient {
  private connection: Connection | undefined;

  /** `leaderUrl`: the leader's first advertised client URL, undefined without a leader; `tls`: for https URLs. */
  constructor(
    private readonly leaderUrl: () => string | undefined,
    private readonly tls: () => LeaderClientTls | undefined = () => undefined,
  ) {}

  /** Renews a lease on the leader; its TTL in seconds, 0 when the lease does not exist. */
  renewLease(id: bigint): Promise<number> {
    const stream = this.connect().lease.LeaseKeepAlive({ deadline: Date.now() + leaderForwardTimeoutMs });
    return new Promise<number>((resolve, reject) => {
      stream.once('data', (response: { TTL: string }) => {
        resolve(Number(response.TTL));
        stream.end();
      });
      stream.once('error', (error: grpc.ServiceError) => reject(asEtcdError(error)));
      stream.once('end', () => reject(Errors.LeaderChanged));
      stream.write({ ID: id.toString() });
    });
  }

  /** A lease's time to live as the leader counts it. */
  leaseTimeToLive(id: bigint, keys: boolean): Promise<LeaseTimeToLiveResponse> {
    const lease = this.connect().lease;
    return new Promise((resolve, reject) =>
      lease.LeaseTimeToLive({ ID: id.toString(), keys }, { deadline: Date.now() + leaderForwardTimeoutMs }, (error, response) =>
        error ? reject(asEtcdError(error)) : resolve(response as LeaseTimeToLiveResponse),
      ),
    );
  }

  /** Promotes a learner through the leader. */
  promote(id: bigint): Promise<void> {
    const cluster = this.connect().cluster;
    return new Promise((resolve, reject) =>
      cluster.MemberPromote({ ID: id.toString() }, { deadline: Date.now() + leaderForwardTimeoutMs }, (error) => (error ? reject(asEtcdError(error)) : resolve())),
    );
  }

  /** Closes the connection to the leader. */
  close(): void {
    this.connection?.lease.close();
    this.connection?.cluster.close();
    this.connection = undefined;
  }

  private connect(): Connection {
    const url = this.leaderUrl();
    if (url === undefined) throw Errors.NoLeader;
    const target = targetOf(url);
    if (this.connection?.target !== target) {
      this.close();
      const api = etcdGrpcObject() as unknown as ProtoGrpcType;
      const credentials = credentialsFor(url, this.tls());
      // One HTTP/2 connection for both services: equal targets and options share a channel in grpc-js.
      this.connection = { target, lease: new api.etcdserverpb.Lease(target, credentials), cluster: new api.etcdserverpb.Cluster(target, credentials) };
    }
    return this.connection;
  }
}
