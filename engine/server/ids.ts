// Member, cluster and request IDs computed the way etcd computes them, so that a member started with the
// same flags as an etcd member gets the same member and cluster IDs (operators compare them across tools).
import { createHash } from 'node:crypto';

function first8BytesOfSha1(bytes: Buffer): bigint {
  return createHash('sha1').update(bytes).digest().readBigUInt64BE(0);
}

/** A member's ID: sha1 over its sorted peer URLs, the cluster token and (for added members) a time. */
export function computeMemberId(peerUrls: string[], clusterToken: string, addedAtUnixSeconds?: number): bigint {
  const parts = [...peerUrls].sort();
  parts.push(clusterToken);
  if (addedAtUnixSeconds !== undefined) parts.push(String(addedAtUnixSeconds));
  return first8BytesOfSha1(Buffer.from(parts.join(''), 'utf8'));
}

/** The cluster ID: sha1 over the ascending member IDs, each as 8 big-endian bytes. */
export function computeClusterId(memberIds: bigint[]): bigint {
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = Buffer.alloc(8 * sorted.length);
  sorted.forEach((id, position) => bytes.writeBigUInt64BE(id, 8 * position));
  return first8BytesOfSha1(bytes);
}

/** An ID as etcd prints it: lower-case hex without leading zeros. */
export function formatId(id: bigint): string {
  return id.toString(16);
}

const timestampBits = 40n;
const counterBits = 8n;
const suffixBits = timestampBits + counterBits;
const suffixMask = (1n << suffixBits) - 1n;

/**
 * Unique request IDs (etcd's idutil): the low 16 bits of the member ID, then 40 bits of the start time in
 * milliseconds, then a counter. Unique across members and across restarts that are a millisecond apart.
 */
export class RequestIdGenerator {
  private suffix: bigint;
  private readonly prefix: bigint;

  constructor(memberId: bigint, nowMs: number) {
    this.prefix = (memberId & 0xffffn) << suffixBits;
    this.suffix = (BigInt(nowMs) & ((1n << timestampBits) - 1n)) << counterBits;
  }

  /** The next ID. */
  next(): bigint {
    this.suffix += 1n;
    return this.prefix | (this.suffix & suffixMask);
  }
}
