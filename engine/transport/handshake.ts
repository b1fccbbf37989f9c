// The identity check at the start of every peer connection (stream upgrade or snapshot upload). The sender names
// the cluster, itself and the member it means to reach in HTTP headers; the receiver refuses with an HTTP status
// and a short reason before a single message is read, and logs why in etcd's words so operators can grep for
// the same lines ("request cluster ID mismatch", "rejected stream from remote peer because it was removed").
import type { IncomingHttpHeaders } from 'node:http';
import { formatId, type LogFields } from '../common/logger.ts';
import type { NodeId } from '../raft/types.ts';

/** The version of the peer protocol (frames and handshake); the message codec has its own version byte. */
export const peerProtocolVersion = 1;

/** Header names of the handshake (lower case, as node:http reports them). */
export const handshakeHeader = {
  protocol: 'x-cairn-peer-protocol',
  /** etcd's header name, also sent with /members so joining members learn the cluster ID from it. */
  clusterId: 'x-etcd-cluster-id',
  from: 'x-cairn-from',
  to: 'x-cairn-to',
  serverVersion: 'x-server-version',
} as const;

/** Who is talking to whom. */
export interface HandshakeIdentity {
  clusterId: bigint;
  from: NodeId;
  to: NodeId;
}

/** The handshake headers a sender puts on its request. */
export function handshakeHeaders(identity: HandshakeIdentity, serverVersion: string): Record<string, string> {
  return {
    [handshakeHeader.protocol]: String(peerProtocolVersion),
    [handshakeHeader.clusterId]: formatId(identity.clusterId),
    [handshakeHeader.from]: formatId(identity.from),
    [handshakeHeader.to]: formatId(identity.to),
    [handshakeHeader.serverVersion]: serverVersion,
  };
}

/** What the receiver knows about the cluster, to judge a handshake. */
export interface HandshakeJudge {
  memberId: NodeId;
  clusterId: bigint;
  /** Whether `id` is a current peer of this member. */
  isPeer(id: NodeId): boolean;
  /** Whether `id` was removed from the cluster. */
  isRemoved(id: NodeId): boolean;
}

/** The outcome of a handshake: the sender's ID, or a refusal with its HTTP status, reason and log line. */
export type HandshakeVerdict =
  | { accepted: true; from: NodeId }
  | { accepted: false; status: number; reason: string; logMessage: string; fields: LogFields };

/** An etcd-style hex ID from a header, or undefined when absent or malformed. */
export function parseIdHeader(value: string | string[] | undefined): bigint | undefined {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(value)) return undefined;
  return BigInt(`0x${value}`);
}

/** Judges the handshake headers of an incoming peer connection. */
export function judgeHandshake(headers: IncomingHttpHeaders, judge: HandshakeJudge): HandshakeVerdict {
  const local = { 'local-member-id': formatId(judge.memberId) };
  const protocol = headers[handshakeHeader.protocol];
  if (protocol !== String(peerProtocolVersion)) {
    return refuse(412, 'unsupported peer protocol version', 'rejected peer connection with an unsupported protocol version', {
      ...local,
      'remote-peer-protocol': protocol ?? '',
      'local-peer-protocol': peerProtocolVersion,
    });
  }
  const clusterId = parseIdHeader(headers[handshakeHeader.clusterId]);
  const from = parseIdHeader(headers[handshakeHeader.from]);
  const to = parseIdHeader(headers[handshakeHeader.to]);
  if (clusterId === undefined || from === undefined || to === undefined) {
    return refuse(400, 'invalid handshake headers', 'rejected peer connection with invalid handshake headers', local);
  }
  const remote = { ...local, 'remote-peer-id': formatId(from) };
  if (clusterId !== judge.clusterId) {
    return refuse(412, 'cluster ID mismatch', 'request cluster ID mismatch', {
      ...remote,
      'local-member-cluster-id': formatId(judge.clusterId),
      'remote-peer-cluster-id': formatId(clusterId),
    });
  }
  if (judge.isRemoved(from)) {
    return refuse(410, 'removed member', 'rejected stream from remote peer because it was removed', remote);
  }
  if (to !== judge.memberId) {
    return refuse(412, 'to field mismatch', 'ignored streaming request; ID mismatch', { ...remote, 'remote-peer-id-header': formatId(to) });
  }
  if (!judge.isPeer(from)) {
    return refuse(404, 'error sender not found', 'failed to find remote peer in cluster', { ...remote, 'cluster-id': formatId(judge.clusterId) });
  }
  return { accepted: true, from };
}

function refuse(status: number, reason: string, logMessage: string, fields: LogFields): HandshakeVerdict {
  return { accepted: false, status, reason, logMessage, fields };
}
