// 64-bit unsigned IDs (member, cluster, request IDs) in the form protobufjs encodes fastest. The proto options
// decode int64 fields as decimal strings; handing such strings back to the encoder makes it parse them with
// Long.fromString on every message, a visible cost on the request path. A Long built once from the bits is
// encoded directly.
import protobuf from 'protobufjs';
import type { Long } from '@grpc/proto-loader';

/** The Long type the generated message types accept for 64-bit fields. */
export type Uint64Long = Long;

/** protobufjs's Long class (from the `long` package it loads), typed with the factory used here. */
const LongClass = protobuf.util.Long as unknown as { fromBits(low: number, high: number, unsigned: boolean): Long };

const low32 = 0xffffffffn;

/** `value` (0 <= value < 2^64) as an unsigned Long for protobufjs encoders. */
export function uint64Long(value: bigint): Uint64Long {
  return LongClass.fromBits(Number(value & low32), Number((value >> 32n) & low32), true);
}

/** A uint64 field as the encoder or decoder left it (decimal string, number or Long) as a bigint. */
export function uint64Value(value: string | number | Uint64Long | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'string' || typeof value === 'number') return BigInt(value);
  return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
}
