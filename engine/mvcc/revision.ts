// Revisions as etcd has them: `main` numbers a write transaction, `sub` orders the changes inside it. In the
// 'key' bucket a revision is 17 bytes (big-endian main, '_', big-endian sub) so that byte order is revision
// order, and a deletion is marked by an 18th byte 't'. Revisions are JavaScript numbers: etcd stores int64,
// but a member would need 2^53 transactions to leave the safe range, and we assert that it never does.
import { assert, AssertionError } from '../common/assert.ts';

/** One revision: the transaction (`main`) and the change inside it (`sub`). */
export interface Revision {
  main: number;
  sub: number;
}

/** Bytes of an encoded revision (etcd's revBytesLen). */
export const revisionBytesLength = 17;

/** Bytes of a revision carrying the tombstone mark (etcd's markedRevBytesLen). */
export const markedRevisionBytesLength = 18;

const separatorByte = 0x5f; // '_'
const tombstoneMarkByte = 0x74; // 't'
const twoPower32 = 2 ** 32;
/** Maps a RevisionSet spreads its entries over. */
const revisionSetShards = 16;

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareRevisions(a: Revision, b: Revision): number {
  return a.main !== b.main ? a.main - b.main : a.sub - b.sub;
}

/** etcd's revision.GreaterThan. */
export function revisionGreaterThan(a: Revision, b: Revision): boolean {
  return a.main > b.main || (a.main === b.main && a.sub > b.sub);
}

/** Writes `value` as an unsigned 64-bit big-endian integer at `offset`. */
export function writeUint64(bytes: Uint8Array, offset: number, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new AssertionError(`revision component out of range: ${value}`);
  const high = Math.floor(value / twoPower32);
  const low = value % twoPower32;
  bytes[offset] = high >>> 24;
  bytes[offset + 1] = (high >>> 16) & 0xff;
  bytes[offset + 2] = (high >>> 8) & 0xff;
  bytes[offset + 3] = high & 0xff;
  bytes[offset + 4] = low >>> 24;
  bytes[offset + 5] = (low >>> 16) & 0xff;
  bytes[offset + 6] = (low >>> 8) & 0xff;
  bytes[offset + 7] = low & 0xff;
}

/** Reads an unsigned 64-bit big-endian integer at `offset`; it must fit a safe JavaScript integer. */
export function readUint64(bytes: Uint8Array, offset: number): number {
  const high = ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
  const low = ((bytes[offset + 4]! << 24) | (bytes[offset + 5]! << 16) | (bytes[offset + 6]! << 8) | bytes[offset + 7]!) >>> 0;
  const value = high * twoPower32 + low;
  if (!(Number.isSafeInteger(value))) throw new AssertionError(`stored 64-bit value beyond 2^53: high word ${high}`);
  return value;
}

/** The 17-byte backend key of a revision, or 18 bytes with the tombstone mark. */
export function encodeRevision(revision: Revision, tombstone = false): Uint8Array {
  const bytes = new Uint8Array(tombstone ? markedRevisionBytesLength : revisionBytesLength);
  writeUint64(bytes, 0, revision.main);
  bytes[8] = separatorByte;
  writeUint64(bytes, 9, revision.sub);
  if (tombstone) bytes[revisionBytesLength] = tombstoneMarkByte;
  return bytes;
}

/** The revision of a backend key (the first 17 bytes; a tombstone mark is ignored). */
export function decodeRevision(bytes: Uint8Array): Revision {
  assert(bytes.length >= revisionBytesLength && bytes[8] === separatorByte, 'malformed revision key');
  return { main: readUint64(bytes, 0), sub: readUint64(bytes, 9) };
}

/** True when a backend key carries the tombstone mark (etcd's isTombstone). */
export function isTombstone(bytes: Uint8Array): boolean {
  return bytes.length === markedRevisionBytesLength && bytes[revisionBytesLength] === tombstoneMarkByte;
}

/**
 * A set of revisions (etcd's map[revision]struct{}): the "keep" set of a compaction, one entry per key, so a
 * million entries is normal. Keyed by main revision first, since most mains carry a single sub revision, and
 * spread over several maps so that no single rehash of a huge map stalls the event loop.
 */
export class RevisionSet {
  private readonly shards: Array<Map<number, number | Set<number>>> = Array.from({ length: revisionSetShards }, () => new Map());
  private count = 0;

  /** Number of revisions in the set. */
  get size(): number {
    return this.count;
  }

  private shard(main: number): Map<number, number | Set<number>> {
    return this.shards[main % revisionSetShards]!;
  }

  /** Adds a revision (no effect when present). */
  add(main: number, sub: number): void {
    const shard = this.shard(main);
    const existing = shard.get(main);
    if (existing === undefined) {
      shard.set(main, sub);
    } else if (typeof existing === 'number') {
      if (existing === sub) return;
      shard.set(main, new Set([existing, sub]));
    } else {
      if (existing.has(sub)) return;
      existing.add(sub);
    }
    this.count++;
  }

  /** Whether the revision is in the set. */
  has(main: number, sub: number): boolean {
    const existing = this.shard(main).get(main);
    if (existing === undefined) return false;
    return typeof existing === 'number' ? existing === sub : existing.has(sub);
  }

  /** Removes a revision (no effect when absent). */
  delete(main: number, sub: number): void {
    const shard = this.shard(main);
    const existing = shard.get(main);
    if (existing === undefined) return;
    if (typeof existing === 'number') {
      if (existing !== sub) return;
      shard.delete(main);
    } else {
      if (!existing.delete(sub)) return;
      if (existing.size === 0) shard.delete(main);
    }
    this.count--;
  }

  /** Every revision, in no particular order. */
  *[Symbol.iterator](): IterableIterator<Revision> {
    for (const shard of this.shards) {
      for (const [main, subs] of shard) {
        if (typeof subs === 'number') yield { main, sub: subs };
        else for (const sub of subs) yield { main, sub };
      }
    }
  }
}
