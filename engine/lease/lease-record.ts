// How a lease is stored in the backend's 'lease' bucket, byte-compatible with etcd: the key is the lease ID as
// 8 big-endian bytes, the value is etcd's leasepb.Lease protobuf {ID int64 = 1, TTL int64 = 2,
// RemainingTTL int64 = 3}. Matching etcd's bytes keeps a Cairn backend readable by the same tools. Records are
// checked right before they are written and right after they are read, so a corrupt record stops the member
// with the lease named instead of resurrecting a wrong lease.
import { AssertionError } from '../common/assert.ts';
import { leaseTtlSecondsMax } from '../common/limits.ts';

/** A lease as persisted: its ID, granted TTL and last checkpointed remaining TTL (0: none). */
export interface LeaseRecord {
  id: bigint;
  ttlSeconds: number;
  remainingTtlSeconds: number;
}

const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;

/** Whether `id` fits etcd's int64 lease IDs. */
export function isLeaseId(id: bigint): boolean {
  return id >= int64Min && id <= int64Max;
}

/** The bucket key of a lease: its ID as 8 big-endian bytes (two's complement, as etcd's int64ToBytes). */
export function leaseKey(id: bigint): Uint8Array {
  if (!(isLeaseId(id))) throw new AssertionError(`lease ID ${id} is not an int64`);
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, BigInt.asUintN(64, id));
  return key;
}

/** The lease ID stored in a bucket key. */
export function leaseIdOfKey(key: Uint8Array): bigint {
  if (!(key.length === 8)) throw new AssertionError(`lease key must be 8 bytes, got ${key.length}`);
  return new DataView(key.buffer, key.byteOffset, 8).getBigInt64(0);
}

/** Throws when `record` must not be written (a bug upstream, never bad input: inputs are checked on grant). */
export function checkLeaseRecord(record: LeaseRecord): void {
  if (!(record.id !== 0n && isLeaseId(record.id))) throw new AssertionError(`lease record has an invalid ID ${record.id}`);
  if (!(isWholeSeconds(record.ttlSeconds) && record.ttlSeconds <= leaseTtlSecondsMax)) throw new AssertionError(`lease ${record.id} has an invalid TTL ${record.ttlSeconds}`);
  if (!(isWholeSeconds(record.remainingTtlSeconds))) throw new AssertionError(`lease ${record.id} has an invalid remaining TTL ${record.remainingTtlSeconds}`);
}

function isWholeSeconds(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Encodes a lease as leasepb.Lease bytes (fields in order, zero values omitted, as gogoproto marshals). */
export function encodeLeaseRecord(record: LeaseRecord): Uint8Array {
  checkLeaseRecord(record);
  const bytes: number[] = [];
  writeField(bytes, 1, record.id);
  writeField(bytes, 2, BigInt(record.ttlSeconds));
  writeField(bytes, 3, BigInt(record.remainingTtlSeconds));
  return Uint8Array.from(bytes);
}

function writeField(bytes: number[], field: number, value: bigint): void {
  if (value === 0n) return;
  bytes.push(field << 3); // wire type 0: varint
  let rest = BigInt.asUintN(64, value); // negative int64 values take ten bytes, as in protobuf
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
}

/** Decodes leasepb.Lease bytes read from the bucket under `key`, checking them against the key. */
export function decodeLeaseRecord(key: Uint8Array, value: Uint8Array): LeaseRecord {
  const keyId = leaseIdOfKey(key);
  const fields = new Map<number, bigint>();
  const reader = { bytes: value, offset: 0, keyId };
  while (reader.offset < value.length) {
    const tag = Number(readVarint(reader));
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field >= 1 && field <= 3) {
      if (wireType !== 0) throw corrupt(keyId, `field ${field} has wire type ${wireType}`);
      fields.set(field, BigInt.asIntN(64, readVarint(reader)));
    } else {
      skipField(reader, wireType);
    }
  }
  const record = {
    id: fields.get(1) ?? 0n,
    ttlSeconds: Number(fields.get(2) ?? 0n),
    remainingTtlSeconds: Number(fields.get(3) ?? 0n),
  };
  if (record.id !== keyId) throw corrupt(keyId, `record holds ID ${record.id}`);
  try {
    checkLeaseRecord(record);
  } catch (error) {
    throw corrupt(keyId, (error as Error).message);
  }
  return record;
}

interface Reader {
  bytes: Uint8Array;
  offset: number;
  keyId: bigint;
}

function readVarint(reader: Reader): bigint {
  let value = 0n;
  for (let index = 0; index < 10; index++) {
    if (reader.offset >= reader.bytes.length) throw corrupt(reader.keyId, 'truncated varint');
    const byte = reader.bytes[reader.offset++]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * index);
    if (byte < 0x80) return value;
  }
  throw corrupt(reader.keyId, 'varint longer than ten bytes');
}

/** Skips a field this version does not know, so records written by a newer etcd still load. */
function skipField(reader: Reader, wireType: number): void {
  if (wireType === 0) readVarint(reader);
  else if (wireType === 1) reader.offset += 8;
  else if (wireType === 2) {
    // Read the length first: `offset += readVarint()` would add to the offset from before the length.
    const lengthBytes = Number(readVarint(reader));
    reader.offset += lengthBytes;
  }
  else if (wireType === 5) reader.offset += 4;
  else throw corrupt(reader.keyId, `unknown wire type ${wireType}`);
  if (reader.offset > reader.bytes.length) throw corrupt(reader.keyId, 'truncated field');
}

function corrupt(id: bigint, reason: string): AssertionError {
  return new AssertionError(`corrupt lease record for lease ${BigInt.asUintN(64, id).toString(16)} in the 'lease' bucket: ${reason}`);
}
