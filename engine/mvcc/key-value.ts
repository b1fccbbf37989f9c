// A key's value at one revision, and its encoding in the 'key' bucket. The encoding must be byte-for-byte
// what etcd's gogo-protobuf marshaller writes for mvccpb.KeyValue, because HashKV hashes these bytes and must
// equal a real etcd's hash for the same history: fields in ascending order, zero and empty fields omitted,
// int64 as varints (a negative int64 takes ten bytes, as two's complement).
import { assert, AssertionError } from '../common/assert.ts';

/** One version of a key (mvccpb.KeyValue). A deletion is recorded with only `key` set. */
export interface KeyValue {
  key: Uint8Array;
  /** Revision of the put that created this generation of the key (0 in a tombstone). */
  createRevision: number;
  /** Revision of the put that wrote this version. */
  modRevision: number;
  /** Number of puts in this generation, starting at 1. */
  version: number;
  value: Uint8Array;
  /** Lease ID (int64); 0 means none. */
  lease: bigint;
}

const emptyBytes = new Uint8Array(0);
const wireVarint = 0;
const wireFixed64 = 1;
const wireBytes = 2;
const wireFixed32 = 5;
const twoPower32 = 2 ** 32;

/** A KeyValue with only the key set: what etcd stores for a deletion. */
export function tombstoneKeyValue(key: Uint8Array): KeyValue {
  return { key, createRevision: 0, modRevision: 0, version: 0, value: emptyBytes, lease: 0n };
}

function varintBytesOfNumber(value: number): number {
  if (value < 0) return 10;
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function varintBytesOfBigint(value: bigint): number {
  let unsigned = BigInt.asUintN(64, value);
  let bytes = 1;
  while (unsigned >= 128n) {
    unsigned >>= 7n;
    bytes++;
  }
  return bytes;
}

function writeVarintNumber(out: Uint8Array, offset: number, value: number): number {
  if (value < 0) return writeVarintBigint(out, offset, BigInt(value));
  while (value >= 128) {
    out[offset++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}

function writeVarintBigint(out: Uint8Array, offset: number, value: bigint): number {
  let unsigned = BigInt.asUintN(64, value);
  while (unsigned >= 128n) {
    out[offset++] = Number(unsigned & 127n) | 128;
    unsigned >>= 7n;
  }
  out[offset++] = Number(unsigned);
  return offset;
}

function checkInt64(value: number, field: string): void {
  if (!(Number.isSafeInteger(value))) throw new AssertionError(`KeyValue.${field} is not a safe integer: ${value}`);
}

/** Encodes a KeyValue exactly as etcd's gogo-protobuf Marshal does. */
export function encodeKeyValue(kv: KeyValue): Uint8Array {
  checkInt64(kv.createRevision, 'createRevision');
  checkInt64(kv.modRevision, 'modRevision');
  checkInt64(kv.version, 'version');
  let size = 0;
  if (kv.key.length > 0) size += 1 + varintBytesOfNumber(kv.key.length) + kv.key.length;
  if (kv.createRevision !== 0) size += 1 + varintBytesOfNumber(kv.createRevision);
  if (kv.modRevision !== 0) size += 1 + varintBytesOfNumber(kv.modRevision);
  if (kv.version !== 0) size += 1 + varintBytesOfNumber(kv.version);
  if (kv.value.length > 0) size += 1 + varintBytesOfNumber(kv.value.length) + kv.value.length;
  if (kv.lease !== 0n) size += 1 + varintBytesOfBigint(kv.lease);

  const out = new Uint8Array(size);
  let offset = 0;
  if (kv.key.length > 0) {
    out[offset++] = (1 << 3) | wireBytes;
    offset = writeVarintNumber(out, offset, kv.key.length);
    out.set(kv.key, offset);
    offset += kv.key.length;
  }
  if (kv.createRevision !== 0) {
    out[offset++] = (2 << 3) | wireVarint;
    offset = writeVarintNumber(out, offset, kv.createRevision);
  }
  if (kv.modRevision !== 0) {
    out[offset++] = (3 << 3) | wireVarint;
    offset = writeVarintNumber(out, offset, kv.modRevision);
  }
  if (kv.version !== 0) {
    out[offset++] = (4 << 3) | wireVarint;
    offset = writeVarintNumber(out, offset, kv.version);
  }
  if (kv.value.length > 0) {
    out[offset++] = (5 << 3) | wireBytes;
    offset = writeVarintNumber(out, offset, kv.value.length);
    out.set(kv.value, offset);
    offset += kv.value.length;
  }
  if (kv.lease !== 0n) {
    out[offset++] = (6 << 3) | wireVarint;
    offset = writeVarintBigint(out, offset, kv.lease);
  }
  assert(offset === size, 'KeyValue size computation disagrees with the bytes written');
  return out;
}

/** A cursor over protobuf bytes; varints are read as two 32-bit halves so int64 survives exactly. */
class Reader {
  offset = 0;
  low = 0;
  high = 0;

  constructor(readonly bytes: Uint8Array) {}

  /** Reads a varint into `low`/`high`. */
  readVarint(): void {
    let low = 0;
    let high = 0;
    for (let index = 0; index < 10; index++) {
      if (this.offset >= this.bytes.length) throw new Error('mvcc: truncated varint in KeyValue');
      const byte = this.bytes[this.offset++]!;
      if (index < 4) low |= (byte & 127) << (index * 7);
      else if (index === 4) {
        low |= (byte & 15) << 28;
        high |= (byte & 127) >> 4;
      } else high |= (byte & 127) << (index * 7 - 32);
      if (byte < 128) {
        this.low = low >>> 0;
        this.high = high >>> 0;
        return;
      }
    }
    throw new Error('mvcc: varint longer than 10 bytes in KeyValue');
  }

  /** The last varint as a signed int64 that must be a safe integer. */
  int64Number(field: string): number {
    if (this.high < 0x200000) return this.high * twoPower32 + this.low;
    const value = Number(this.int64Bigint());
    if (!Number.isSafeInteger(value)) throw new Error(`mvcc: KeyValue.${field} beyond 2^53`);
    return value;
  }

  /** The last varint as a signed int64. */
  int64Bigint(): bigint {
    return BigInt.asIntN(64, (BigInt(this.high) << 32n) | BigInt(this.low));
  }

  readBytes(): Uint8Array {
    this.readVarint();
    const length = this.high === 0 ? this.low : Infinity;
    if (this.offset + length > this.bytes.length) throw new Error('mvcc: truncated bytes field in KeyValue');
    const field = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return field;
  }

  skip(wireType: number): void {
    if (wireType === wireVarint) this.readVarint();
    else if (wireType === wireFixed64) this.offset += 8;
    else if (wireType === wireBytes) this.readBytes();
    else if (wireType === wireFixed32) this.offset += 4;
    else throw new Error(`mvcc: unsupported wire type ${wireType} in KeyValue`);
    if (this.offset > this.bytes.length) throw new Error('mvcc: truncated field in KeyValue');
  }
}

/** Decodes a stored KeyValue. `key` and `value` are views into `bytes`, which must not be reused. */
export function decodeKeyValue(bytes: Uint8Array): KeyValue {
  const kv = tombstoneKeyValue(emptyBytes);
  const reader = new Reader(bytes);
  while (reader.offset < bytes.length) {
    reader.readVarint();
    const tag = reader.low;
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1 && wireType === wireBytes) kv.key = reader.readBytes();
    else if (field === 5 && wireType === wireBytes) kv.value = reader.readBytes();
    else if (field >= 2 && field <= 4 && wireType === wireVarint) {
      reader.readVarint();
      if (field === 2) kv.createRevision = reader.int64Number('createRevision');
      else if (field === 3) kv.modRevision = reader.int64Number('modRevision');
      else kv.version = reader.int64Number('version');
    } else if (field === 6 && wireType === wireVarint) {
      reader.readVarint();
      kv.lease = reader.int64Bigint();
    } else reader.skip(wireType);
  }
  return kv;
}
