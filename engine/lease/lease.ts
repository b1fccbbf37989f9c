// One lease: its granted TTL, the remaining TTL last checkpointed through the log, the keys attached to it, and
// (on the leader only) the moment it expires. Followers keep no expiry at all: only the leader decides that a
// lease has expired, and it does so by proposing a revocation, so every member deletes the same keys at the
// same log index.
import { assert, AssertionError } from '../common/assert.ts';

/** A lease held by the lessor. Mutating methods are for the Lessor only; everything else reads. */
export class Lease {
  private checkpointedTtlSeconds: number;
  private expiresAtMs = Number.POSITIVE_INFINITY;
  private readonly attached = new Map<string, Uint8Array>();

  constructor(
    /** The lease ID (etcd's int64 LeaseID). */
    readonly id: bigint,
    /** The TTL granted, in seconds (after raising it to the minimum TTL). */
    readonly ttlSeconds: number,
    remainingTtlSeconds = 0,
  ) {
    this.checkpointedTtlSeconds = remainingTtlSeconds;
  }

  /** The remaining TTL last checkpointed through the log, in seconds; 0 when none was. */
  get remainingTtlSeconds(): number {
    return this.checkpointedTtlSeconds;
  }

  /** The TTL the next refresh counts from: the checkpointed remaining TTL when there is one, else the full TTL. */
  get effectiveTtlSeconds(): number {
    return this.checkpointedTtlSeconds > 0 ? this.checkpointedTtlSeconds : this.ttlSeconds;
  }

  /** When the lease expires, in clock milliseconds; +Infinity while this member is not the leader. */
  get expiryMs(): number {
    return this.expiresAtMs;
  }

  /** Milliseconds left until expiry at `nowMs` (negative once expired, +Infinity when not expiring). */
  remainingMs(nowMs: number): number {
    return this.expiresAtMs - nowMs;
  }

  /** Whether the lease has expired at `nowMs`. */
  isExpired(nowMs: number): boolean {
    return this.expiresAtMs <= nowMs;
  }

  /** Number of keys attached. */
  get keyCount(): number {
    return this.attached.size;
  }

  /** The attached keys in ascending byte order (the order every member deletes them in on revoke). */
  keys(): Uint8Array[] {
    return [...this.attached.keys()].sort().map((text) => this.attached.get(text)!);
  }

  /** Lessor only: the lease expires at `expiryMs` (clock milliseconds). */
  setExpiry(expiryMs: number): void {
    assert(Number.isFinite(expiryMs), 'a lease expiry must be finite; use forever() for none');
    this.expiresAtMs = expiryMs;
  }

  /** Lessor only: the lease stops expiring (this member is not the leader). */
  forever(): void {
    this.expiresAtMs = Number.POSITIVE_INFINITY;
  }

  /** Lessor only: records a checkpointed remaining TTL (0 clears it). */
  setCheckpoint(remainingTtlSeconds: number): void {
    if (!(Number.isSafeInteger(remainingTtlSeconds) && remainingTtlSeconds >= 0)) throw new AssertionError(`invalid remaining TTL ${remainingTtlSeconds}`);
    this.checkpointedTtlSeconds = remainingTtlSeconds;
  }

  /** Lessor only: attaches `key`, whose map form is `text`. */
  attachKey(text: string, key: Uint8Array): void {
    this.attached.set(text, key.slice());
  }

  /** Lessor only: detaches the key whose map form is `text`. */
  detachKey(text: string): boolean {
    return this.attached.delete(text);
  }
}

/**
 * A key as a string usable as a Map key: one UTF-16 code unit per byte. Strings built this way compare like the
 * bytes they hold, so sorting them sorts the keys in etcd's byte order.
 */
export function keyText(key: Uint8Array): string {
  let text = '';
  const chunkBytes = 8192; // stays well below the argument-count limit of String.fromCharCode
  for (let start = 0; start < key.length; start += chunkBytes) {
    text += String.fromCharCode(...key.subarray(start, start + chunkBytes));
  }
  return text;
}
